"""Static vocabularies of the synthetic CRM: channels, industries, titles, pages.

Each entry carries the effect it has on the latent conversion log-odds, so the
generator's ground truth is explicit and readable in one place.
"""

from __future__ import annotations

# canonical channel -> (share of leads, log-odds effect, raw spellings seen in exports)
CHANNELS: dict[str, tuple[float, float, tuple[str, ...]]] = {
    "organic_search": (0.22, 0.0, ("Organic Search", "organic", "SEO", "google organic")),
    "paid_search": (0.18, -0.2, ("Google Ads", "google_ads", "PPC", "Paid Search", "adwords")),
    "linkedin": (0.12, 0.1, ("LinkedIn", "linkedin", "LinkedIn Ads", "linked_in", "LI Paid")),
    "referral": (0.06, 0.9, ("Referral", "customer referral", "referral ", "Word of mouth")),
    "webinar": (0.10, 0.4, ("Webinar", "webinar", "Webinar - Q3", "webinars")),
    "content_syndication": (
        0.14,
        -0.8,
        ("Content Syndication", "content_synd", "Syndication", "TechTarget"),
    ),
    "trade_show": (0.06, 0.2, ("Trade Show", "tradeshow", "Conference booth", "Event")),
    "outbound": (0.12, -0.6, ("Outbound", "cold email", "SDR outbound", "Cold Call")),
}
# spellings no mapping knows: staging maps them to channel 'other' and counts them
UNMAPPED_SOURCES: tuple[str, ...] = ("Facebook group", "newsletter swap", "misc")

# industry -> (share, log-odds effect, revenue per employee in USD)
INDUSTRIES: dict[str, tuple[float, float, float]] = {
    "Software": (0.18, 0.5, 250_000),
    "Financial Services": (0.12, 0.4, 400_000),
    "Healthcare": (0.11, 0.0, 150_000),
    "Manufacturing": (0.12, -0.3, 200_000),
    "Retail": (0.10, -0.2, 180_000),
    "Education": (0.07, -0.6, 90_000),
    "Media": (0.07, -0.1, 160_000),
    "Logistics": (0.08, 0.1, 170_000),
    "Professional Services": (0.10, 0.2, 140_000),
    "Government": (0.05, -0.8, 110_000),
}

# employee band -> (share, low, high, log-odds effect)
SIZE_BANDS: tuple[tuple[float, int, int, float], ...] = (
    (0.22, 1, 10, -0.7),
    (0.26, 11, 50, 0.0),
    (0.20, 51, 200, 0.4),
    (0.15, 201, 1000, 0.4),
    (0.11, 1001, 5000, 0.2),
    (0.06, 5001, 60000, -0.1),
)

TECH_TOOLS: tuple[str, ...] = (
    "salesforce",
    "hubspot",
    "snowflake",
    "bigquery",
    "aws",
    "azure",
    "gcp",
    "slack",
    "zendesk",
    "shopify",
    "sap",
    "oracle",
)
# tools that make a company a better fit for the (fictional) product
ICP_TOOLS: frozenset[str] = frozenset({"salesforce", "hubspot", "snowflake", "slack"})

# seniority -> (share, log-odds effect, titles)
TITLES: dict[str, tuple[float, float, tuple[str, ...]]] = {
    "intern": (0.05, -1.0, ("Marketing Intern", "Intern", "Summer Intern - Engineering")),
    "individual_contributor": (
        0.37,
        -0.3,
        (
            "Software Engineer",
            "Marketing Specialist",
            "Sales Representative",
            "Data Analyst",
            "Accountant",
            "Account Executive",
            "HR Generalist",
        ),
    ),
    "manager": (
        0.25,
        0.2,
        (
            "Marketing Manager",
            "Engineering Manager",
            "IT Manager",
            "Sales Manager",
            "Operations Manager",
        ),
    ),
    "director": (
        0.15,
        0.5,
        ("Director of Marketing", "Director, IT", "Sr. Director Engineering", "Head of Sales"),
    ),
    "vp": (0.10, 0.6, ("VP Marketing", "Vice President of Sales", "SVP Engineering")),
    "c_level": (
        0.08,
        0.4,
        ("CEO", "CTO", "Chief Marketing Officer", "CFO", "Co-Founder & CEO", "COO"),
    ),
}

# ISO code -> (share, spellings seen in exports)
COUNTRIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "US": (0.45, ("United States", "USA", "US", "U.S.A.", "united states of america")),
    "GB": (0.10, ("United Kingdom", "UK", "GB", "Great Britain", "England")),
    "DE": (0.10, ("Germany", "DE", "Deutschland")),
    "FR": (0.06, ("France", "FR")),
    "CA": (0.06, ("Canada", "CA")),
    "AU": (0.05, ("Australia", "AU")),
    "NL": (0.04, ("Netherlands", "NL", "Holland")),
    "IN": (0.06, ("India", "IN")),
    "BR": (0.04, ("Brazil", "BR", "Brasil")),
    "SE": (0.04, ("Sweden", "SE")),
}

# (value, log-odds effect); answers are drawn correlated with latent intent
BUDGETS: tuple[tuple[str, float], ...] = (
    ("<10k", -0.4),
    ("10k-50k", 0.0),
    ("50k-100k", 0.3),
    ("100k+", 0.5),
)
TIMELINES: tuple[tuple[str, float], ...] = (
    ("just researching", -0.5),
    ("this year", 0.0),
    ("next quarter", 0.3),
    ("this quarter", 0.6),
)
NEEDS: tuple[str, ...] = (
    "just curious",
    "evaluating options",
    "new initiative",
    "replace existing tool",
)

# event type -> (base share, sensitivity to intent, boost late in a converter's journey)
EVENT_TYPES: dict[str, tuple[float, float, float]] = {
    "page_view": (0.44, 0.0, 1.0),
    "email_open": (0.20, -0.2, 0.6),
    "email_click": (0.08, 0.2, 1.0),
    "email_reply": (0.015, 0.6, 3.0),
    "form_submit": (0.03, 0.4, 1.5),
    "content_download": (0.04, 0.2, 0.8),
    "webinar_attend": (0.02, 0.3, 1.0),
    "demo_request": (0.006, 1.0, 6.0),
    "chat_message": (0.02, 0.5, 2.0),
    "social_engagement": (0.05, -0.1, 0.5),
    "sales_call": (0.012, 0.8, 8.0),
}
# spellings of known types that staging normalises (lower case, spaces -> underscores)
EVENT_TYPE_VARIANTS: dict[str, str] = {"page_view": "Page View", "email_open": "EMAIL_OPEN"}
UNKNOWN_EVENT_TYPES: tuple[str, ...] = ("fax_received", "carrier_pigeon")

# page path -> (share among page views, intent sensitivity)
PAGES: dict[str, tuple[float, float]] = {
    "/": (0.20, -0.2),
    "/product": (0.16, 0.1),
    "/blog/lead-scoring-101": (0.10, -0.3),
    "/blog/rules-vs-ml": (0.08, -0.3),
    "/customers": (0.08, 0.2),
    "/docs/getting-started": (0.08, 0.3),
    "/docs/api": (0.05, 0.3),
    "/pricing": (0.10, 0.8),
    "/integrations": (0.07, 0.5),
    "/careers": (0.04, -0.8),
    "/about": (0.04, -0.2),
}
DEVICES: tuple[str, ...] = ("desktop", "mobile", "tablet")
N_OWNERS = 25
N_CAMPAIGNS = 40
