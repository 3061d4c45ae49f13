"""The wording of every letter, English and Welsh, as the DOCX template builder lays it out.

Each letter is a list of blocks: ("p", text) a paragraph, ("b", text) a bold paragraph, ("if", cond) …
("endif", "") a docxtpl paragraph condition, ("for", "x in xs") … ("endfor", "") a paragraph loop,
("bullets", "x in xs") a bulleted paragraph per item, ("image", var) an inline image paragraph,
("record", "") the attendance-record table. Jinja expressions are kept inside one paragraph (one run).
"""

from __future__ import annotations

Block = tuple[str, str]

# Each language's letter frame: the opening (school, recipient, date, greeting) and the signature.
OPENING = {
    "en": [
        ("b", "{{ school.name }}"),
        (
            "p",
            "Headteacher: {{ school.headteacher }}   Telephone: {{ school.phone }}{% if school.email %}   "
            "E-mail: {{ school.email }}{% endif %}",
        ),
        ("p", ""),
        ("for", "line in recipient"),
        ("p", "{{ line }}"),
        ("endfor", ""),
        ("p", ""),
        ("p", "{{ en.date }}"),
        ("p", "Dear {{ salutation }}"),
        ("b", "Re: {{ pupils }}{% if year_group %} ({{ year_group }}){% endif %}"),
    ],
    "cy": [
        ("b", "{{ school.name }}"),
        (
            "p",
            "Pennaeth: {{ school.headteacher }}   Ffôn: {{ school.phone }}{% if school.email %}   "
            "E-bost: {{ school.email }}{% endif %}",
        ),
        ("p", ""),
        ("for", "line in cy.recipient"),
        ("p", "{{ line }}"),
        ("endfor", ""),
        ("p", ""),
        ("p", "{{ cy.date }}"),
        ("p", "Annwyl {{ cy.salutation }}"),
        ("b", "Ynghylch: {{ cy.pupils }}{% if year_group %} ({{ year_group }}){% endif %}"),
    ],
}
CLOSING = {
    "en": [("p", "Yours sincerely"), ("p", ""), ("p", "{{ school.headteacher }}"), ("p", "Headteacher")],
    "cy": [("p", "Yn gywir"), ("p", ""), ("p", "{{ school.headteacher }}"), ("p", "Pennaeth")],
}

# The penalty-notice paragraph every council's letters share; its numbers come from the council's data.
PENALTY_EN = (
    "A penalty notice is {{ pn.first_early }} per parent for each child if paid within {{ pn.early_days }} days, "
    "rising to {{ pn.first_full }} if paid within {{ pn.full_days }} days. If a penalty notice is not paid in full "
    "within {{ pn.full_days }} days the local authority is required to start proceedings in the magistrates' "
    "court for the offence of unauthorised absence."
)

PENALTY_CY = (
    "Mae hysbysiad cosb benodedig yn {{ pn.first_early }} i bob rhiant am bob plentyn os caiff ei dalu o fewn "
    "{{ pn.early_days }} diwrnod, gan gynyddu i {{ pn.first_full }} os caiff ei dalu o fewn {{ pn.full_days }} "
    "diwrnod. Os na chaiff hysbysiad cosb benodedig ei dalu'n llawn o fewn {{ pn.full_days }} diwrnod, mae'n "
    "ofynnol i'r awdurdod lleol gychwyn achos yn y llys ynadon am y drosedd o absenoldeb heb ei awdurdodi."
)

# The Welsh paragraphs the leave-refusal variants share. A number takes the singular noun in Welsh
# ("10 sesiwn", "5 diwrnod ysgol"), so the Welsh needs no 'day'/'days' switch.
_REQUEST_CY: list[Block] = [
    (
        "p",
        "Cyfeiriaf at eich cais i {{ cy.forenames }} gael bod yn absennol am {{ days }} diwrnod ysgol"
        "{% if cy.reason %} (y rheswm a roddwyd gennych oedd “{{ cy.reason }}”){% endif %}. Mae'n ddrwg gennyf "
        "roi gwybod i chi na fydd y cais yn cael ei ganiatáu y tro hwn.",
    ),
    (
        "p",
        "Nid yw'r rheswm a roddwyd gennych dros ofyn am ganiatâd i fod yn absennol yn dangos bod amgylchiadau "
        "eithriadol.",
    ),
    (
        "p",
        "Rhaid i mi roi gwybod i chi, os byddwch yn mynd â'ch {{ cy.child }} allan o'r ysgol am y cyfnod hwn, NA "
        "FYDD yr absenoldeb yn cael ei awdurdodi, a bydd hyn yn golygu y bydd {{ cy.each_child }} wedi cronni "
        "cyfanswm o {{ sessions }} sesiwn ({{ days }} diwrnod ysgol) o absenoldeb heb ei awdurdodi.",
    ),
]
_DISCUSS_CY: list[Block] = [
    (
        "p",
        "Os hoffech drafod hyn ymhellach, cysylltwch â swyddfa'r ysgol i drefnu apwyntiad i'm gweld. Dylid nodi, "
        "fodd bynnag, bod y penderfyniad hwn yn derfynol a'i fod wedi'i wneud {{ cy.in_line_with }}.",
    ),
]

_REQUEST_EN: list[Block] = [
    (
        "p",
        "With reference to your request for {{ forenames }} to be absent for {{ days }} school "
        "{{ 'day' if days == 1 else 'days' }} for {{ en.reason }}, I regret to inform you that this will not "
        "be agreed on this occasion.",
    ),
    (
        "p",
        "The reason that you have provided for requesting a leave of absence does not indicate an "
        "exceptional circumstance.",
    ),
    (
        "p",
        "I must advise you that if you do take your {{ en.child }} out of school for this period of time the "
        "absences will NOT be authorised and will mean that {{ en.each_child }} will have a total of "
        "{{ sessions }} sessions ({{ days }} school {{ 'day' if days == 1 else 'days' }}) of unauthorised "
        "absence.",
    ),
]
_DISCUSS_EN: list[Block] = [
    (
        "p",
        "If you would like to discuss this further please contact the school office to make an appointment "
        "with me, although it should be noted that this decision is final and has been made in line with "
        "{{ en.guidance }}.",
    ),
]

BODIES: dict[str, dict[str, list[Block]]] = {
    "leave-refusal-statutory-age": {
        "en": _REQUEST_EN
        + [
            (
                "p",
                "Where a pupil's unauthorised absence amounts to {{ threshold }} sessions or more{{ en.window }}, "
                "{{ council }} may issue a penalty notice to each parent for each child.",
            ),
        ]
        + _DISCUSS_EN,
        "cy": _REQUEST_CY
        + [
            (
                "p",
                "Pan fydd disgybl wedi cael {{ threshold }} sesiwn neu fwy o absenoldeb heb ei awdurdodi"
                "{{ cy.window }}, gall {{ cy.council }} gyflwyno hysbysiad cosb benodedig i bob rhiant am bob "
                "plentyn.",
            ),
        ]
        + _DISCUSS_CY,
    },
    "leave-refusal-not-statutory-age": {
        "en": _REQUEST_EN
        + [
            (
                "p",
                "As {{ forenames }} {{ 'is' if single else 'are' }} {{ 'past' if above_age else 'not yet of' }} statutory school age, I will not be "
                "referring the absence to the local authority on this occasion. You should however be aware that "
                "when pupils are of statutory school age (from the term following their fifth birthday) and a pupil "
                "accumulates {{ threshold }} or more sessions of unauthorised absence{{ en.window }}, the school "
                "must notify the local authority and a penalty notice may be issued to each parent for each child.",
            ),
        ]
        + _DISCUSS_EN,
        "cy": _REQUEST_CY
        + [
            (
                "p",
                "Gan fod {{ cy.forenames }} {{ 'dros oedran ysgol gorfodol' if above_age else 'heb gyrraedd oedran "
                "ysgol gorfodol eto' }}, ni fyddaf yn cyfeirio'r absenoldeb at yr awdurdod lleol y tro hwn. Fodd "
                "bynnag, dylech fod yn ymwybodol o'r canlynol: pan fydd disgybl o oedran ysgol gorfodol (o'r tymor "
                "sy'n dilyn pumed pen-blwydd y plentyn) yn cronni {{ threshold }} sesiwn neu fwy o absenoldeb heb ei "
                "awdurdodi{{ cy.window }}, mae'n rhaid i'r ysgol hysbysu'r awdurdod lleol, a gellir cyflwyno "
                "hysbysiad cosb benodedig i bob rhiant am bob plentyn.",
            ),
        ]
        + _DISCUSS_CY,
    },
    "leave-refusal-not-requested-in-advance": {
        "en": [
            (
                "p",
                "It has been brought to my attention that {{ forenames }} {{ 'was' if single else 'were' }} absent from "
                "school between {{ en.start }} and {{ en.end }}.",
            ),
            ("if", "holiday"),
            ("p", "I understand that this absence is as a result of a family holiday."),
            ("endif", ""),
            (
                "p",
                "The school attendance policy clearly states that parents must request a leave of absence in "
                "advance of the absence being taken. Headteachers may not authorise absence for the purpose of a "
                "family holiday unless there are exceptional circumstances.",
            ),
            ("p", "The absence cannot be authorised because:"),
            ("bullets", "ground in en.grounds"),
            (
                "p",
                "Therefore, {{ en.possessive }} absence will be recorded as unauthorised: {{ sessions }} sessions "
                "({{ days }} school {{ 'day' if days == 1 else 'days' }}).",
            ),
            (
                "p",
                "Where a pupil accumulates {{ threshold }} or more sessions of unauthorised absence{{ en.window }}, "
                "the school must notify the local authority and a penalty notice may be issued to each parent for "
                "each child.",
            ),
        ]
        + _DISCUSS_EN,
        "cy": [
            ("p", "Daeth i'm sylw bod {{ cy.forenames }} wedi bod yn absennol o'r ysgol {{ cy.between }}."),
            ("if", "holiday"),
            ("p", "Deallaf fod yr absenoldeb hwn o ganlyniad i wyliau teuluol."),
            ("endif", ""),
            (
                "p",
                "Mae polisi presenoldeb yr ysgol yn nodi'n glir bod yn rhaid i rieni ofyn am ganiatâd i fod yn "
                "absennol cyn i'r absenoldeb ddigwydd. Ni chaiff penaethiaid awdurdodi absenoldeb at ddiben gwyliau "
                "teuluol oni bai bod amgylchiadau eithriadol.",
            ),
            ("p", "Ni ellir awdurdodi'r absenoldeb oherwydd y canlynol:"),
            ("bullets", "ground in cy.grounds"),
            (
                "p",
                "Felly, bydd absenoldeb eich {{ cy.child }} yn cael ei gofnodi fel absenoldeb heb ei awdurdodi: "
                "{{ sessions }} sesiwn ({{ days }} diwrnod ysgol).",
            ),
            (
                "p",
                "Pan fydd disgybl yn cronni {{ threshold }} sesiwn neu fwy o absenoldeb heb ei awdurdodi"
                "{{ cy.window }}, mae'n rhaid i'r ysgol hysbysu'r awdurdod lleol, a gellir cyflwyno hysbysiad cosb "
                "benodedig i bob rhiant am bob plentyn.",
            ),
        ]
        + _DISCUSS_CY,
    },
    "notice-to-improve": {
        "en": [
            ("b", "Notice to improve school attendance"),
            (
                "p",
                "I am writing to give you formal notice that {{ forename }}'s attendance at school must improve. This "
                "notice is your final opportunity to improve {{ forename }}'s attendance before {{ council }} considers "
                "a penalty notice.",
            ),
            ("b", "1. {{ forename }}'s attendance and the offence"),
            (
                "p",
                "{{ forename }} has missed {{ record.window_sessions }} sessions of school without authorisation between "
                "{{ en.window_start }} and {{ en.window_end }}, within {{ record.window_weeks }} school weeks. This "
                "meets the national threshold of {{ threshold }} unauthorised sessions in a rolling period of 10 "
                "school weeks. Since the start of this record {{ forename }}'s attendance is {{ record.percent }}%:",
            ),
            ("record", ""),
            ("b", "2. Your duty as a parent, and why attendance matters"),
            (
                "p",
                "Under section 7 of the Education Act 1996 you must make sure that {{ forename }} receives a suitable "
                "full-time education, and under section 444 a parent commits an offence if a registered pupil of "
                "compulsory school age fails to attend school regularly. Pupils who attend school regularly learn "
                "more, make and keep friendships, and do better in their examinations and later life.",
            ),
            ("b", "3. Support provided so far"),
            ("if", "support"),
            ("bullets", "item in support"),
            ("endif", ""),
            ("if", "not support"),
            ("p", "The school has discussed {{ forename }}'s attendance with you and offered its help."),
            ("endif", ""),
            ("b", "4. Further support available"),
            (
                "p",
                "The school can offer a meeting with the attendance lead, a plan agreed with you and {{ forename }}, "
                "and referral to the local authority's attendance support team or early help services. Support "
                "that was offered before and not taken up is still available: please ask for it.",
            ),
            ("b", "5. Warning"),
            (
                "p",
                "If {{ forename }}'s attendance does not improve sufficiently within the improvement period, "
                "{{ council }} may issue a penalty notice to each parent, or consider prosecution in the "
                "magistrates' court.",
            ),
            ("b", "6. The improvement period"),
            (
                "p",
                "The improvement period is {{ weeks }} school weeks, from {{ en.period_start }} to "
                "{{ en.period_end }} inclusive.",
            ),
            ("b", "7. What sufficient improvement means"),
            (
                "p",
                "For {{ forename }}, sufficient improvement means no unauthorised absence during the improvement period "
                "(no session recorded as holiday, late after the register closed, or absent without a reason the "
                "school can authorise), and attending every session unless prevented by illness or another reason "
                "the school authorises.",
            ),
            ("b", "8. A penalty notice before the end of the period"),
            (
                "p",
                "A penalty notice may be issued before the improvement period ends if {{ forename }} has further "
                "unauthorised absence that shows no improvement, or if you do not engage with the support offered.",
            ),
            (
                "p",
                PENALTY_EN
                + " A second penalty notice within three years is {{ pn.second_full }} if paid within "
                "{{ pn.full_days }} days, with no reduction.",
            ),
            (
                "p",
                "If you have any questions, or would like to take up any support, please contact "
                "{{ school.contact_name }} on {{ school.phone }}{% if school.email %} or {{ school.email }}"
                "{% endif %}.",
            ),
        ]
    },
    "attendance-letter-1": {
        "en": [
            (
                "p",
                "I am writing to let you know that {{ forename }}'s attendance has fallen to {{ record.percent }}%. I am "
                "concerned that {{ forename }} is missing a significant part of their learning. I have enclosed a copy "
                "of {{ forename }}'s registration certificate, which shows an analysis of attendance, punctuality and "
                "whether each absence is authorised or unauthorised.",
            ),
            (
                "p",
                "Regular attendance is extremely important, as missing school can affect learning. {{ forename }} has "
                "missed {{ missed }} sessions this year{% if class_average is not none %}, while the average number "
                "of sessions missed by {{ en.their }} classmates is {{ class_average }}{% endif %}. This puts "
                "{{ forename }} at a disadvantage and I am writing to ask if there is anything the school can do to help "
                "improve {{ en.their }} attendance. Like you, we want to give {{ forename }} the very best chance of "
                "doing well. We are aware that absence due to illness cannot be avoided. However, if there are other "
                "difficulties that are making attendance a challenge, please get in touch so that the school can "
                "offer support.",
            ),
            ("image", "chart"),
            (
                "p",
                "We will continue to monitor {{ forename }}'s attendance and look forward to seeing an improvement. "
                "Should it fall further, I shall be required to invite you to attend a School Attendance Meeting "
                "and the school may ask for medical evidence for any further absences.",
            ),
            (
                "p",
                "Please continue to work with the school. You are more than welcome to contact me to discuss any "
                "queries or concerns you may have.",
            ),
        ],
        "cy": [
            (
                "p",
                "Ysgrifennaf atoch i roi gwybod bod presenoldeb {{ forename }} wedi gostwng i {{ record.percent }}%. "
                "Rwy'n pryderu bod {{ forename }} yn colli rhan sylweddol o'r dysgu yn yr ysgol. Amgaeaf gopi o "
                "dystysgrif gofrestru {{ forename }}, sy'n dangos dadansoddiad o bresenoldeb a phrydlondeb, ac a yw "
                "pob absenoldeb wedi'i awdurdodi neu heb ei awdurdodi.",
            ),
            (
                "p",
                "Mae presenoldeb rheolaidd yn hynod o bwysig, gan y gall colli'r ysgol effeithio ar ddysgu. Mae "
                "{{ forename }} wedi colli {{ missed }} sesiwn eleni{% if class_average is not none %}, tra bo "
                "gweddill y dosbarth wedi colli {{ class_average }} sesiwn ar gyfartaledd{% endif %}. Mae hyn yn "
                "rhoi {{ forename }} dan anfantais, ac ysgrifennaf i ofyn a oes unrhyw beth y gall yr ysgol ei wneud "
                "i helpu i wella presenoldeb {{ forename }}. Fel chi, rydym am roi'r cyfle gorau posibl i "
                "{{ forename }} lwyddo. Rydym yn ymwybodol na ellir osgoi absenoldeb oherwydd salwch. Fodd bynnag, "
                "os oes anawsterau eraill sy'n ei gwneud yn anodd dod i'r ysgol, cysylltwch â ni er mwyn i'r ysgol "
                "allu cynnig cymorth.",
            ),
            ("image", "chart"),
            (
                "p",
                "Byddwn yn parhau i fonitro presenoldeb {{ forename }}, ac edrychwn ymlaen at weld gwelliant. Os "
                "bydd yn gostwng ymhellach, bydd yn ofynnol i mi eich gwahodd i Gyfarfod Presenoldeb Ysgol, a gall "
                "yr ysgol ofyn am dystiolaeth feddygol ar gyfer unrhyw absenoldebau pellach.",
            ),
            (
                "p",
                "Parhewch i gydweithio â'r ysgol, os gwelwch yn dda. Mae croeso mawr i chi gysylltu â mi i drafod "
                "unrhyw gwestiynau neu bryderon sydd gennych.",
            ),
        ],
    },
    "attendance-letter-2": {
        "en": [
            (
                "p",
                "I am writing to let you know that, further to my previous letter{% if en.previous_letter %} dated "
                "{{ en.previous_letter }}{% endif %}, {{ forename }}'s attendance has "
                "fallen further to {{ record.percent }}%. I am concerned that {{ forename }} is missing a significant "
                "part of their learning. I have enclosed a copy of {{ forename }}'s registration certificate, which "
                "shows an analysis of attendance, punctuality and whether each absence is authorised or "
                "unauthorised.",
            ),
            ("p", "Regular attendance is extremely important, as missing school can affect learning."),
            (
                "p",
                "I am now required to invite you to attend a School Attendance Meeting, and we may need to ask for "
                "medical evidence for any further absences.",
            ),
            (
                "p",
                "If there are any particular circumstances which the school may not be aware of that are preventing "
                "{{ forename }} from attending school regularly, please do not hesitate to contact me.",
            ),
            ("p", "Please contact the school office within the next 5 school days to arrange the meeting."),
        ],
        "cy": [
            (
                "p",
                "Yn dilyn fy llythyr blaenorol{% if cy.previous_letter %} dyddiedig {{ cy.previous_letter }}{% endif %}, ysgrifennaf atoch i roi gwybod bod presenoldeb {{ forename }} wedi "
                "gostwng ymhellach i {{ record.percent }}%. Rwy'n pryderu bod {{ forename }} yn colli rhan sylweddol "
                "o'r dysgu yn yr ysgol. Amgaeaf gopi o dystysgrif gofrestru {{ forename }}, sy'n dangos dadansoddiad "
                "o bresenoldeb a phrydlondeb, ac a yw pob absenoldeb wedi'i awdurdodi neu heb ei awdurdodi.",
            ),
            (
                "p",
                "Mae presenoldeb rheolaidd yn hynod o bwysig, gan y gall colli'r ysgol effeithio ar ddysgu.",
            ),
            (
                "p",
                "Bellach, mae'n ofynnol i mi eich gwahodd i Gyfarfod Presenoldeb Ysgol, ac efallai y bydd angen i ni "
                "ofyn am dystiolaeth feddygol ar gyfer unrhyw absenoldebau pellach.",
            ),
            (
                "p",
                "Os oes unrhyw amgylchiadau penodol sy'n atal {{ forename }} rhag dod i'r ysgol yn rheolaidd, ac "
                "efallai nad yw'r ysgol yn ymwybodol ohonynt, peidiwch ag oedi cyn cysylltu â mi.",
            ),
            (
                "p",
                "Cysylltwch â swyddfa'r ysgol o fewn y 5 diwrnod ysgol nesaf i drefnu'r cyfarfod, os gwelwch yn dda.",
            ),
        ],
    },
}

FOOTNOTES = {
    "leave-refusal": {"en": [("p", PENALTY_EN)], "cy": [("p", PENALTY_CY)]},
}
