"""Wiltshire Council: the PN3 notification for 10 sessions of holiday in term time (seed 004 App. 11)."""

from service.councils import ENGLAND
from service.councils import ENGLAND_PENALTIES
from service.councils import ENGLAND_THRESHOLD
from service.councils import Council
from service.councils import Submission

COUNCIL = Council(
    id="wiltshire",
    name="Wiltshire Council",
    country=ENGLAND,
    threshold=ENGLAND_THRESHOLD,
    penalties=ENGLAND_PENALTIES,
    documents=(
        "pn3",
        "notice-to-improve",
        "leave-refusal",
        "attendance-certificate",
        "attendance-letter-1",
        "attendance-letter-2",
    ),
    # Wiltshire Education Welfare Service (seed 004 App. 13).
    submit_to=Submission(to="EWS@wiltshire.gov.uk"),
    notes=(
        "App. 6 (10 sessions in six months, 15-school-day warning) is superseded by App. 12/13 "
        "(national framework from 19 August 2024): 10 sessions in 10 school weeks.",
    ),
)
