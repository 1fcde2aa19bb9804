"""The fixed fictional vocabulary of the demo directory.

The made-up word pairs organisations are named from, the share and description of each
organisation kind, how often each category is an organisation's focus, the kinds of
service of each category with their plausible places per week, audiences and opening
rhythms. `analysis.demo.sample` draws from these; nothing here is random.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from analysis.model import (
    CHARITY_KIND,
    CIC_KIND,
    FAITH_GROUP_KIND,
    MUTUAL_AID_KIND,
    ORGANISATION_KINDS,
    OTHER_KIND,
    STATUTORY_KIND,
)

FIRST_WORDS: Final = (
    "Willow", "Lantern", "Kingfisher", "Bluebell", "Harbour", "Cobble", "Heron", "Marigold",
    "Kite", "Orchard", "Meadow", "Ferry", "Rosehip", "Sparrow", "Hazel", "Beacon", "Tidewater",
    "Larkspur", "Juniper", "Copper", "Elmtree", "Foxglove", "Otter", "Puffin", "Thistle",
    "Wren", "Amber", "Bramble", "Clover", "Damson", "Ember", "Fennel", "Gorse", "Hollyhock",
    "Ivy", "Jasmine", "Kestrel", "Linnet", "Maple", "Nettle", "Oakapple", "Primrose",
    "Quayside", "Rowan", "Saffron", "Teasel", "Umber", "Vetch", "Wagtail", "Yarrow",
)  # fmt: skip
SECOND_WORDS: Final = (
    "Circle", "Collective", "Network", "Project", "Hub", "Friends", "Neighbours", "Trust",
    "Partnership", "Kitchen", "Pantry", "Link", "Café", "House", "Alliance", "Exchange",
    "Corner", "Together", "Works", "Lantern",
)  # fmt: skip
FAITH_WORDS: Final = ("Fellowship", "Faith Hub", "Interfaith Circle", "Chapel Friends")
TEAM_WORDS: Final = (
    "Community Support Team", "Welfare Rights Team", "Family Help Team", "Wellbeing Team",
    "Neighbourhood Team", "Carers Team", "Housing Options Team", "Digital Team",
)  # fmt: skip
# Share of each organisation kind, in the order of ORGANISATION_KINDS.
KIND_SHARE: Final = dict(zip(ORGANISATION_KINDS, (0.46, 0.12, 0.11, 0.12, 0.04, 0.15), strict=True))
KIND_PHRASE: Final = {
    CHARITY_KIND: "Registered charity",
    CIC_KIND: "Community interest company",
    MUTUAL_AID_KIND: "Volunteer mutual aid group",
    FAITH_GROUP_KIND: "Faith community",
    STATUTORY_KIND: "Public service team",
    OTHER_KIND: "Community group",
}
# How much more often each kind leaves its capacity blank: small volunteer groups rarely
# count places, public teams usually do.
BLANK_CAPACITY_WEIGHT: Final = {
    CHARITY_KIND: 1.0,
    CIC_KIND: 0.8,
    MUTUAL_AID_KIND: 3.0,
    FAITH_GROUP_KIND: 2.0,
    STATUTORY_KIND: 0.3,
    OTHER_KIND: 1.5,
}
# Relative frequency of each category as an organisation's focus.
CATEGORY_SHARE: Final = {
    "food": 14, "prescriptions": 4, "befriending": 10, "mental_health": 10, "money_advice": 10,
    "employment": 5, "housing": 6, "domestic_abuse": 3, "digital": 5, "transport": 3,
    "carers": 4, "families": 11, "language": 4, "physical_health": 7, "practical_help": 5,
}  # fmt: skip
# The kinds of service of each category, the most typical first: name and a plausible
# range of places per week.
SERVICE_KINDS: Final = {
    "food": (("Community Pantry", 60, 120), ("Food Parcels", 80, 150), ("Lunch Club", 20, 40),
             ("Community Fridge", 40, 100), ("Breakfast Club", 20, 50),
             ("Community Meals", 30, 80)),
    "prescriptions": (("Prescription Collection", 15, 40), ("Medicine Runs", 10, 30)),
    "befriending": (("Coffee Morning", 15, 35), ("Befriending Calls", 20, 60),
                    ("Good Neighbours", 10, 30), ("Friendship Group", 10, 25)),
    "mental_health": (("Wellbeing Café", 15, 40), ("Peer Support Group", 8, 20),
                      ("Listening Service", 20, 60), ("Bereavement Circle", 8, 20)),
    "money_advice": (("Money Advice", 20, 80), ("Benefits Help", 20, 60),
                     ("Debt Drop-in", 20, 50), ("Energy Bills Help", 20, 60)),
    "employment": (("Job Club", 15, 40), ("CV Workshop", 10, 25), ("Work Ready Course", 10, 20)),
    "housing": (("Housing Advice", 20, 60), ("Tenancy Support", 10, 30),
                ("Night Shelter", 40, 110)),
    "domestic_abuse": (("Safe Space Support", 10, 30), ("Domestic Abuse Outreach", 10, 25)),
    "digital": (("Digital Drop-in", 15, 40), ("Device Lending", 10, 30),
                ("Get Online Sessions", 10, 30)),
    "transport": (("Community Transport", 30, 80), ("Volunteer Drivers", 15, 40),
                  ("Hospital Lifts", 10, 30)),
    "carers": (("Carers Café", 10, 30), ("Carers Support Group", 8, 20),
               ("Young Carers Club", 10, 25)),
    "families": (("Stay and Play", 20, 40), ("Youth Club", 25, 60), ("Baby Bank", 20, 50),
                 ("Parents Group", 10, 25), ("Holiday Activities", 30, 80)),
    "language": (("English Conversation Club", 15, 30), ("ESOL Classes", 12, 30),
                 ("Interpreting Help", 10, 40)),
    "physical_health": (("Walking Group", 10, 30), ("Dementia Café", 10, 25),
                        ("Chair Exercise", 10, 25), ("Sight Loss Support", 8, 20)),
    "practical_help": (("Handyperson Scheme", 10, 30), ("Garden Helpers", 8, 20),
                       ("Shopping Errands", 15, 40)),
}  # fmt: skip
OTHER_SERVICE_KINDS: Final = (("Support", 10, 40),)
LINE_CAPACITY: Final = (60, 250)
"""Calls a citywide phone line takes per week."""
OPEN_AUDIENCE: Final = "everyone"
CATEGORY_AUDIENCES: Final = {
    "befriending": ("older people", "people living alone"),
    "families": ("families with children under 5", "young people aged 11-18", "parents"),
    "carers": ("unpaid carers",),
    "language": ("speakers of other languages", "refugees and asylum seekers"),
    "prescriptions": ("older people", "housebound residents"),
    "transport": ("older and disabled people",),
    "employment": ("adults looking for work",),
}
RHYTHMS: Final = (
    "every Tuesday", "weekdays 10am to 2pm", "Saturday mornings", "by appointment",
    "once a month", "Monday and Thursday evenings", "every weekday",
)  # fmt: skip


def service_kinds(category: str) -> tuple[tuple[str, int, int], ...]:
    """The kinds of service of ``category`` (name, fewest and most places per week)."""
    return SERVICE_KINDS.get(category, OTHER_SERVICE_KINDS)


def category_share(ids: list[str]) -> np.ndarray:
    """Probability of each category as a service's first, in the order of ``ids``."""
    share = np.array([CATEGORY_SHARE.get(c, 5) for c in ids], dtype=float)
    return share / share.sum()
