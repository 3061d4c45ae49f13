"""England: The School Attendance (Pupil Registration) (England) Regulations 2024 (SI 2024/208), in force
19 August 2024, regulation 10 and its tables; the categories of the DfE's statutory guidance "Working
together to improve school attendance" (August 2024). Codes withdrawn earlier are kept, with their dates,
for registers older than their withdrawal: The Education (Pupil Registration) (England) Regulations 2006 and
the DfE's codes guidance (2009; F withdrawn from 1 September 2013 by SI 2013/756, H, J and Y replaced on
19 August 2024).
"""

from __future__ import annotations

from datetime import date

from service.codes import ADMINISTRATIVE
from service.codes import APPROVED_ACTIVITY
from service.codes import AUTHORISED
from service.codes import NOT_POSSIBLE
from service.codes import PRESENT
from service.codes import UNAUTHORISED
from service.codes import Code
from service.codes import CodeTable

IN_FORCE = date(2024, 8, 19)  # SI 2024/208 came into force
BEFORE = date(2024, 8, 18)  # the last day of the 2006 codes it replaced
REG = "SI 2024/208 reg. 10"
PRESENT_T = f"{REG}(2), Table 1 (present)"
ELSEWHERE = f"{REG}(3), Table 2 (attending a place other than the school)"
LEAVE = f"{REG}, leave of absence granted (DfE 2024 guidance: authorised)"
ABSENT = f"{REG}, absent: other authorised reasons"
UNABLE = f"{REG}, unable to attend because of an unavoidable cause (not a possible session)"
UNAUTH = f"{REG}, absent: unauthorised"
ADMIN = f"{REG}, administrative (not a possible session)"
OLD = "SI 2006/1751 and DfE codes guidance (2009)"

TABLE = CodeTable(
    "england",
    "The School Attendance (Pupil Registration) (England) Regulations 2024 (SI 2024/208), regulation 10",
    (
        Code("/", "Present (morning session)", PRESENT, PRESENT_T),
        Code("\\", "Present (afternoon session)", PRESENT, PRESENT_T),
        Code("L", "Late arrival before the register closed", PRESENT, PRESENT_T),
        Code(
            "K",
            "Attending education provision arranged by the local authority",
            APPROVED_ACTIVITY,
            ELSEWHERE,
            valid_from=IN_FORCE,
        ),
        Code("V", "Attending an educational visit or trip", APPROVED_ACTIVITY, ELSEWHERE),
        Code("P", "Participating in a supervised sporting activity", APPROVED_ACTIVITY, ELSEWHERE),
        Code("W", "Attending work experience", APPROVED_ACTIVITY, ELSEWHERE),
        Code("B", "Attending any other approved educational activity", APPROVED_ACTIVITY, ELSEWHERE),
        Code(
            "D",
            "Dual registered: attending another school at which the pupil is registered",
            ADMINISTRATIVE,
            f"{ELSEWHERE}; not a possible session at this school (rules.md, DfE 2024 guidance)",
        ),
        Code(
            "C1",
            "Leave of absence to take part in a regulated performance or regulated employment abroad",
            AUTHORISED,
            LEAVE,
            valid_from=IN_FORCE,
        ),
        Code("M", "Leave of absence for a medical or dental appointment", AUTHORISED, LEAVE),
        Code(
            "J1",
            "Leave of absence to attend an interview (employment or another educational institution)",
            AUTHORISED,
            LEAVE,
            valid_from=IN_FORCE,
        ),
        Code("S", "Leave of absence for study leave", AUTHORISED, LEAVE),
        Code(
            "X",
            "Not of compulsory school age and not required to attend",
            ADMINISTRATIVE,
            f"{LEAVE}; not a possible session (rules.md)",
        ),
        Code(
            "C2",
            "Leave of absence for a pupil of compulsory school age on a part-time timetable",
            AUTHORISED,
            LEAVE,
            valid_from=IN_FORCE,
        ),
        Code("C", "Leave of absence in exceptional circumstances", AUTHORISED, LEAVE),
        Code("T", "Parent travelling for occupational purposes (Traveller absence)", AUTHORISED, ABSENT),
        Code("R", "Religious observance", AUTHORISED, ABSENT),
        Code("I", "Illness (not a medical or dental appointment)", AUTHORISED, ABSENT),
        Code("E", "Suspended or permanently excluded, no alternative provision made", AUTHORISED, ABSENT),
        Code("Q", "Unable to attend: lack of access arrangements", NOT_POSSIBLE, UNABLE),
        Code(
            "Y1",
            "Unable to attend: transport normally provided not available",
            NOT_POSSIBLE,
            UNABLE,
            valid_from=IN_FORCE,
        ),
        Code(
            "Y2",
            "Unable to attend: widespread disruption to travel",
            NOT_POSSIBLE,
            UNABLE,
            valid_from=IN_FORCE,
        ),
        Code(
            "Y3",
            "Unable to attend: part of the school premises closed",
            NOT_POSSIBLE,
            UNABLE,
            valid_from=IN_FORCE,
        ),
        Code(
            "Y4",
            "Unable to attend: whole school site unexpectedly closed",
            NOT_POSSIBLE,
            UNABLE,
            valid_from=IN_FORCE,
        ),
        Code(
            "Y5", "Unable to attend: in criminal justice detention", NOT_POSSIBLE, UNABLE, valid_from=IN_FORCE
        ),
        Code(
            "Y6", "Unable to attend: public health guidance or law", NOT_POSSIBLE, UNABLE, valid_from=IN_FORCE
        ),
        Code(
            "Y7", "Unable to attend: any other unavoidable cause", NOT_POSSIBLE, UNABLE, valid_from=IN_FORCE
        ),
        Code("G", "Holiday not granted by the school", UNAUTHORISED, UNAUTH),
        Code("N", "Reason for absence not yet established", UNAUTHORISED, UNAUTH),
        Code("O", "Absent in other or unknown circumstances", UNAUTHORISED, UNAUTH),
        Code("U", "Arrived after the register closed", UNAUTHORISED, UNAUTH),
        Code("Z", "Prospective pupil not on the admission register", ADMINISTRATIVE, ADMIN),
        Code("#", "Planned whole or partial school closure", ADMINISTRATIVE, ADMIN),
        # Withdrawn codes, read in registers older than their withdrawal (rules.md §Registers and codes).
        Code(
            "H",
            "Agreed family holiday (withdrawn code)",
            AUTHORISED,
            f"{OLD}; replaced by SI 2024/208",
            valid_until=BEFORE,
        ),
        Code(
            "F",
            "Agreed extended family holiday (withdrawn code)",
            AUTHORISED,
            f"{OLD}; withdrawn by SI 2013/756 from 1 September 2013",
            valid_until=date(2013, 8, 31),
        ),
        Code(
            "J",
            "Interview (withdrawn code: J1 since 19 August 2024)",
            APPROVED_ACTIVITY,
            f"{OLD}; replaced by J1 (SI 2024/208)",
            valid_until=BEFORE,
        ),
        Code(
            "Y",
            "Unable to attend due to exceptional circumstances (withdrawn code: Y1-Y7 since 2024)",
            NOT_POSSIBLE,
            f"{OLD}; replaced by Y1-Y7 (SI 2024/208)",
            valid_until=BEFORE,
        ),
    ),
)
