"""Dorset Council: penalty-notice requests for holiday and warnings for irregular attendance (App. 7, 8)."""

from service.councils import ENGLAND
from service.councils import ENGLAND_PENALTIES
from service.councils import ENGLAND_THRESHOLD
from service.councils import Council
from service.councils import Submission

COUNCIL = Council(
    id="dorset",
    name="Dorset Council",
    country=ENGLAND,
    threshold=ENGLAND_THRESHOLD,
    penalties=ENGLAND_PENALTIES,
    documents=(
        "dorset-holiday",
        "dorset-warning",
        "notice-to-improve",
        "leave-refusal",
        "attendance-certificate",
        "attendance-letter-1",
        "attendance-letter-2",
    ),
    # "Email request to: penaltynotices@dorsetcouncil.gov.uk cc: Inclusion Lead" (App. 7, 8).
    submit_to=Submission(
        to="penaltynotices@dorsetcouncil.gov.uk", cc_school_inclusion_lead=True, phone="01305 221596"
    ),
    # "Please submit this form within one week of completion of holiday absence" (App. 7).
    submission_window_days=7,
    # "two parents with parental responsibility … not at the same address" (App. 7).
    requires_both_addresses_when_apart=True,
)
