"""Wales: The Education (Pupil Registration) (Wales) Regulations 2010 (SI 2010/1954 (W.176)) and the Welsh
Government's guidance on attendance codes (All Wales Attendance Framework). Wales did not adopt England's
2024 codes: C1, C2, J1, K and Y1-Y7 are not Welsh codes, and J (interview) is an approved educational
activity. D (dual registration) is not a possible session at the school recording it (rules.md).
"""

from __future__ import annotations

from service.codes import ADMINISTRATIVE
from service.codes import APPROVED_ACTIVITY
from service.codes import AUTHORISED
from service.codes import NOT_POSSIBLE
from service.codes import PRESENT
from service.codes import UNAUTHORISED
from service.codes import Code
from service.codes import CodeTable

REG = "SI 2010/1954 (W.176) and Welsh Government attendance codes guidance"

TABLE = CodeTable(
    "wales",
    "The Education (Pupil Registration) (Wales) Regulations 2010 (SI 2010/1954 (W.176)); Welsh Government "
    "attendance codes guidance",
    (
        Code("/", "Present (morning session)", PRESENT, REG),
        Code("\\", "Present (afternoon session)", PRESENT, REG),
        Code("L", "Late arrival before the register closed", PRESENT, REG),
        Code("B", "Educated off site (not dual registration)", APPROVED_ACTIVITY, REG),
        Code("J", "Interview", APPROVED_ACTIVITY, REG),
        Code("P", "Approved sporting activity", APPROVED_ACTIVITY, REG),
        Code("V", "Educational visit or trip", APPROVED_ACTIVITY, REG),
        Code("W", "Work experience", APPROVED_ACTIVITY, REG),
        Code(
            "D",
            "Dual registration (attending another establishment)",
            ADMINISTRATIVE,
            f"{REG}; not a possible session here (rules.md)",
        ),
        Code("C", "Other authorised circumstances", AUTHORISED, REG),
        Code("E", "Excluded, no alternative provision made", AUTHORISED, REG),
        Code("H", "Family holiday (agreed)", AUTHORISED, REG),
        Code("F", "Extended family holiday (agreed)", AUTHORISED, REG),
        Code("I", "Illness", AUTHORISED, REG),
        Code("M", "Medical or dental appointment", AUTHORISED, REG),
        Code("R", "Religious observance", AUTHORISED, REG),
        Code("S", "Study leave", AUTHORISED, REG),
        Code("T", "Traveller absence", AUTHORISED, REG),
        Code("G", "Family holiday (not agreed, or days in excess of agreement)", UNAUTHORISED, REG),
        Code("N", "No reason yet provided", UNAUTHORISED, REG),
        Code("O", "Unauthorised absence not covered by another code", UNAUTHORISED, REG),
        Code("U", "Late, after the register closed", UNAUTHORISED, REG),
        Code("X", "Not of compulsory school age, not required to attend", ADMINISTRATIVE, REG),
        Code("Y", "Enforced closure", NOT_POSSIBLE, REG),
        Code("Z", "Pupil not yet on roll", ADMINISTRATIVE, REG),
        Code("#", "School closed to pupils", ADMINISTRATIVE, REG),
    ),
)
