"""Starter category trees per kind of marketplace, created when the marketplace is provisioned."""

from __future__ import annotations

from django.utils.text import slugify

from tenants.seeding import register_seeder

# (name, icon, workflow, commission_bps, attributes, children); attributes are dicts for AttributeDefinition.
LEVEL = {
    "key": "level",
    "label": "Level",
    "type": "choice",
    "required": True,
    "filterable": True,
    "choices": ["Introductory", "Intermediate", "Advanced"],
}
FORMAT = {
    "key": "format",
    "label": "Format",
    "type": "choice",
    "required": True,
    "filterable": True,
    "choices": ["Online", "In person", "Either"],
}
GROUP_SIZE = {
    "key": "group_size",
    "label": "Group size",
    "type": "number",
    "unit": "students",
    "min_value": 2,
    "max_value": 30,
    "filterable": True,
}

UNIVERSITY = [
    (
        "Mathematics",
        "calculator",
        "instant",
        None,
        [LEVEL, FORMAT],
        [
            ("Calculus", "", None, None, [], []),
            ("Linear Algebra", "", None, None, [], []),
            ("Statistics", "", None, None, [], []),
        ],
    ),
    (
        "Computer Science",
        "code",
        "instant",
        None,
        [LEVEL, FORMAT],
        [
            ("Programming in Python", "", None, None, [], []),
            ("Algorithms and Data Structures", "", None, None, [], []),
            ("Databases", "", None, None, [], []),
        ],
    ),
    (
        "Languages",
        "globe",
        "instant",
        None,
        [LEVEL, FORMAT],
        [
            ("Academic English", "", None, None, [], []),
            ("Spanish", "", None, None, [], []),
        ],
    ),
    (
        "Study Groups",
        "users",
        "request",
        500,
        [GROUP_SIZE],
        [
            ("Exam Preparation", "", None, None, [], []),
            ("Thesis Writing Circle", "", None, None, [], []),
        ],
    ),
]

AGENCY = [
    (
        "Design",
        "pen-tool",
        "quote",
        None,
        [
            {
                "key": "deliverable_formats",
                "label": "Deliverable formats",
                "type": "multi_choice",
                "filterable": True,
                "choices": ["Figma", "PDF", "SVG", "PNG"],
            },
        ],
        [
            ("Brand Identity", "", None, None, [], []),
            ("UX / UI Design", "", None, None, [], []),
            ("Illustration", "", None, None, [], []),
        ],
    ),
    (
        "Development",
        "code",
        "milestone",
        1_500,
        [
            {
                "key": "tech_stack",
                "label": "Technology",
                "type": "multi_choice",
                "required": True,
                "filterable": True,
                "choices": ["Python", "JavaScript", "TypeScript", "Go", "Swift", "Kotlin"],
            },
            {
                "key": "years_experience",
                "label": "Experience",
                "type": "number",
                "unit": "years",
                "min_value": 0,
                "max_value": 50,
                "filterable": True,
            },
        ],
        [
            ("Web Applications", "", None, None, [], []),
            ("Mobile Apps", "", None, None, [], []),
            ("Data Engineering", "", None, None, [], []),
        ],
    ),
    (
        "Marketing",
        "megaphone",
        "quote",
        None,
        [
            {
                "key": "channels",
                "label": "Channels",
                "type": "multi_choice",
                "filterable": True,
                "choices": ["Search", "Social", "Email", "Content"],
            },
        ],
        [
            ("SEO", "", None, None, [], []),
            ("Social Media", "", None, None, [], []),
            ("Content Strategy", "", None, None, [], []),
        ],
    ),
]

CONSULTATION = [
    {
        "key": "conflict_check",
        "label": "Names of the other parties (for our conflict check)",
        "type": "text",
        "required": True,
    },
    {
        "key": "jurisdiction",
        "label": "Jurisdiction",
        "type": "choice",
        "required": True,
        "filterable": True,
        "choices": ["England and Wales", "Scotland", "Northern Ireland", "EU"],
    },
]

LAW_FIRM = [
    (
        "Family Law",
        "heart",
        "request",
        None,
        CONSULTATION,
        [
            ("Divorce and Separation", "", None, None, [], []),
            ("Child Arrangements", "", None, None, [], []),
        ],
    ),
    (
        "Employment Law",
        "briefcase",
        "request",
        None,
        CONSULTATION,
        [
            ("Unfair Dismissal", "", None, None, [], []),
            ("Contracts and Settlements", "", None, None, [], []),
        ],
    ),
    (
        "Property Law",
        "home",
        "quote",
        1_200,
        CONSULTATION,
        [
            ("Residential Conveyancing", "", None, None, [], []),
            ("Landlord and Tenant", "", None, None, [], []),
        ],
    ),
    (
        "Business Law",
        "building",
        "quote",
        None,
        CONSULTATION,
        [
            ("Company Formation", "", None, None, [], []),
            ("Commercial Contracts", "", None, None, [], []),
        ],
    ),
]

TREES = {"university": UNIVERSITY, "agency": AGENCY, "law_firm": LAW_FIRM}


def create_tree(spec: list, parent=None) -> None:
    from marketplace.catalogue.models import AttributeDefinition, Category

    for position, (name, icon, workflow, commission, attributes, children) in enumerate(spec):
        category = Category.objects.create(
            parent=parent,
            name=name,
            slug=slugify(name),
            icon=icon,
            position=position,
            workflow=workflow,
            commission_bps=commission,
        )
        category.path = [*(parent.path if parent else []), category.pk]
        category.save(update_fields=["path"])
        for index, attribute in enumerate(attributes):
            AttributeDefinition.objects.create(category=category, position=index, **attribute)
        create_tree(children, parent=category)


@register_seeder(kinds=list(TREES))
def seed_categories(*, tenant, admin) -> None:
    create_tree(TREES[tenant.kind])
