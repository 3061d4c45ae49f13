"""Vale of Glamorgan Council (Wales): holiday FPN without a warning period, letters in Welsh too."""

from service.councils import WALES
from service.councils import WALES_PENALTIES
from service.councils import Council
from service.councils import Submission
from service.councils import Threshold

COUNCIL = Council(
    id="vale-of-glamorgan",
    name="Vale of Glamorgan Council",
    country=WALES,
    # "recorded with 10 sessions of unauthorised absence" (seed 000): no rolling window is set.
    threshold=Threshold(unauthorised_sessions=10, window_school_weeks=None),
    penalties=WALES_PENALTIES,
    documents=(
        "leave-refusal",
        "attendance-certificate",
        "attendance-letter-1",
        "attendance-letter-2",
    ),
    # Inclusion Team referrals (seed 000, CME procedure).
    submit_to=Submission(to="Inclusionteamreferrals@valeofglamorgan.gov.uk"),
    bilingual_letters=True,
    name_cy="Cyngor Bro Morgannwg",
    notes=(
        "Headteachers can issue a FPN without a warning period for 10 or more unauthorised "
        "sessions coded as holiday (seed 000).",
        "A pupil missing 10 school days is a Children Missing Education notification to the Inclusion Team.",
    ),
)
