"""Deterministic story text for the test site: varied templates and vocabulary driven by a seeded RNG.

Every template may hold choices (``[a|b|c]``) and slots (``{place}``); each article draws its own
cast (people, places, organisations), so two articles never share more than stray phrases.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

SECTIONS: tuple[str, ...] = ("world", "politics", "business", "science", "culture")

FIRST = (
    "Amara Lucas Sofia Mateo Ingrid Tomas Priya Kwame Elena Jonas Leila Rafael Hana Oskar Nadia Felipe "
    "Yuki Marta Idris Clara Anton Beatriz Samir Greta Diego Aisha Viktor Lena Omar Paula Rohan Irene "
    "Tariq Mirela Emil Noor Caspar Daria Hugo Zanele Pablo Astrid Kofi Ilse Bruno Selin Matteo Freya"
).split()
LAST = (
    "Okafor Lindqvist Moreau Haddad Castellanos Novak Mensah Oyelaran Vasquez Petrov Kowalski Takahashi "
    "Brennan Achterberg Salgado Ferreira Nakamura Delacroix Abernathy Quispe Halvorsen Mbeki Rossetti "
    "Varga Dubois Ibarra Kiplagat Sorensen Whitcombe Aldana Bergström Chaudhry Esposito Fonseca Gallardo "
    "Hendricks Iversen Jablonski Kaminski Lindgren Marchetti Nyberg Ortega Pacheco Quintero Rahman"
).split()
PLACES = (
    "Lisbon Nairobi Montevideo Tallinn Hanoi Accra Quito Tbilisi Kraków Valparaíso Dakar Osaka Porto "
    "Windhoek Ljubljana Cusco Tromsø Mombasa Recife Gdańsk Cebu Zagreb Arequipa Bergen Kigali Salta "
    "Marseille Busan Asunción Plovdiv Kumasi Durban Antofagasta Tartu Cluj Lyon Aarhus Tampere Medellín"
).split()
ROLES = (
    "the finance minister", "a senior diplomat", "the regional governor", "an opposition lawmaker",
    "the mayor", "a union representative", "the central bank governor", "a former ambassador",
    "the lead researcher", "a spokesperson for the ministry", "the festival director", "an economist",
    "the chief executive", "a local organiser", "the committee chair", "a veteran analyst",
)
ORGS = {
    "world": ("the regional security council", "the coastal states forum", "the refugee agency",
              "the river basin commission", "the border monitoring mission", "the foreign ministry"),
    "politics": ("the electoral commission", "the upper chamber", "the governing coalition",
                 "the audit office", "the constitutional court", "the opposition bloc"),
    "business": ("the port authority", "the shipping consortium", "the national grid operator",
                 "the chamber of commerce", "the pension fund", "the competition regulator"),
    "science": ("the marine institute", "the university hospital", "the space agency",
                "the seismology centre", "the national herbarium", "the climate observatory"),
    "culture": ("the city orchestra", "the national library", "the film archive",
                "the contemporary art museum", "the book fair committee", "the heritage trust"),
}
TOPICS = {
    "world": ("a ceasefire proposal", "fishing rights", "a border crossing", "water sharing",
              "a prisoner exchange", "humanitarian corridors", "visa rules", "a trade corridor"),
    "politics": ("a budget amendment", "electoral reform", "a no-confidence motion", "party funding",
                 "a pension bill", "the redistricting plan", "a transparency law", "a coalition pact"),
    "business": ("container tariffs", "a wage agreement", "copper exports", "a merger review",
                 "grid investment", "freight rates", "a bond issue", "warehouse automation"),
    "science": ("a vaccine trial", "coral bleaching", "a sediment survey", "satellite telemetry",
                "glacier retreat", "soil microbes", "a gene panel", "seismic sensors"),
    "culture": ("a restoration project", "a touring exhibition", "a poetry prize", "festival funding",
                "a manuscript discovery", "an opera revival", "a street art permit", "a film retrospective"),
}
THINGS = {
    "world": ("convoys", "checkpoints", "observers", "ferries", "supply depots", "refugee camps"),
    "politics": ("ballots", "committee hearings", "party congresses", "draft clauses", "town halls"),
    "business": ("quarterly results", "cargo volumes", "shareholders", "supply contracts", "inventories"),
    "science": ("samples", "field stations", "sensor arrays", "lab results", "core drillings"),
    "culture": ("rehearsals", "ticket sales", "archive boxes", "stage sets", "private collectors"),
}
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "March", "April", "June", "September", "October", "November")

TITLES = (
    "{Place} [braces for|prepares for|weighs] {topic} as {org} [warns of delays|signals caution|seeks answers]",
    "[Talks on|Disputes over|Doubts about] {topic} [deepen|stall|resume] in {place}",
    "{Person} [defends|questions|backs] {topic} [amid|despite|after] [protests|criticism|delays] in {place}",
    "[How|Why] {topic} [became|turned into] {place}'s [hardest|quietest|longest] [fight|debate|summer]",
    "{Org_cap} [approves|rejects|postpones] {topic} [after|following] [a late vote|months of talks|a tense week]",
    "[Inside|Behind] the [race|push|plan] for {topic} in {place}",
    "{num} {things} [and|but] [one question|no deadline|a new rule]: {place} [rethinks|revisits] {topic}",
    "[In|Across] {place}, the [debate|fight|vote] over {topic} [tests|divides|unites] [neighbours|officials|families]",
)

SENTENCES = (
    "[Officials|Residents|Observers] in {place} [said on|confirmed on|acknowledged on] {day} that {topic} "
    "[would be reviewed|had been delayed|remained on the table] [until|before|after] {month}.",
    "{Person}, {role}, [told reporters|said in a statement|argued in an interview]: "
    "\u201c{quote}.\u201d",
    "[According to|Going by figures from|As reported by] {org}, [about|nearly|more than] {num} {things} "
    "[were affected|took part|were counted] [last year|this season|in the past decade].",
    "[The|That] [decision|announcement|proposal] [drew|provoked|prompted] [sharp|mixed|cautious] "
    "[reactions|responses|criticism] from {org} and from {person2}, {role2}.",
    "[Critics|Supporters|Several analysts] [say|argue|warn] that {topic} [could|might|will] "
    "[reshape|complicate|accelerate] [relations|plans|negotiations] with {place2}.",
    "[For now|In the meantime|Until then], {org} [has asked|has urged|is pressing] "
    "[for more time|for independent checks|for a public hearing].",
    "{Person2} [recalled|pointed out|noted] that a similar [dispute|initiative|plan] in {place2} "
    "[collapsed|succeeded|dragged on] [in|around|before] {year}.",
    "[The figures|These numbers|Such estimates] [are disputed|have been revised|remain provisional], "
    "[and|but] [few|most|some] [experts|officials|residents] expect [quick|lasting|dramatic] change.",
    "[On the ground|Back in {place}|Closer to home], [shopkeepers|teachers|drivers|nurses] "
    "[describe|report|complain of] [long queues|rising costs|mixed signals|constant uncertainty].",
    "[A|One] [draft|leaked|preliminary] [document|memo|summary] [seen by|obtained by|shared with] "
    "this newspaper [puts|estimates|sets] the cost at {num} million [euros|dollars|pesos].",
    "[It is not|This is not|It was not] the first time {org} has [faced|weathered|invited] such "
    "[pressure|scrutiny|attention] over {topic}.",
    "\u201c{quote},\u201d [said|added|insisted] {person}, [who|whose team] [has followed|has studied|led] "
    "the [file|issue|project] since {year}.",
    "[Meanwhile|At the same time|Elsewhere], [a group of|dozens of|hundreds of] [volunteers|students|"
    "workers] [gathered|marched|waited] [outside|near|around] the [town hall|harbour|main square] in {place}.",
    "[The next step|What comes next|The timetable] [depends on|hinges on|is tied to] [a vote|an audit|"
    "a court ruling|funding] expected [in|by|before] {month}.",
    "[Asked about|Pressed on|Questioned about] {topic}, {person2} [declined to comment|promised details "
    "soon|said talks were ongoing].",
    "[Records|Archives|Minutes] [show|suggest|indicate] that {num} [meetings|requests|complaints] "
    "[were logged|went unanswered|were resolved] [between|from] {year} [and|to] {year2}.",
    "[Few|Not many|Only a handful of] [people|officials|companies] [expected|predicted|welcomed] "
    "[the speed|the scale|the tone] of the [change|response|debate] in {place}.",
    "{Person} [estimated|calculated|suggested] that roughly {pct} percent of {things} "
    "[would need|could face|might require] [new|further|costly] [checks|permits|repairs].",
)

SECTION_SENTENCES = {
    "world": (
        "Diplomats from {place2} [arrived|flew in|were expected] [on|by|late on] {day} to [mediate|observe|"
        "join] the [talks|negotiations|meetings].",
        "[Aid groups|Relief agencies|Local charities] [warned|said] that {things} near {place} "
        "[were running short|remained closed|had doubled].",
    ),
    "politics": (
        "The [motion|bill|amendment] [needs|requires|lacks] {num} votes [to pass|to survive|in the chamber], "
        "[a threshold|a target|a margin] that {org} [has never|rarely|once] [reached|met|secured].",
        "[Party|Coalition|Opposition] [strategists|whips|leaders] [spent|used] the [weekend|recess|evening] "
        "[counting votes|drafting clauses|calling members].",
    ),
    "business": (
        "[Shares|Bonds|Futures] tied to {topic} [rose|fell|swung] {pct} percent [in early trading|by the "
        "close|over the week].",
        "[Suppliers|Distributors|Exporters] in {place} [say|report|fear] that {things} [have slowed|are "
        "piling up|may be rerouted].",
    ),
    "science": (
        "The [team|researchers|authors] [collected|analysed|compared] {num} {things} [over|during|across] "
        "[three seasons|two expeditions|eighteen months].",
        "[Peer reviewers|Independent scientists|Other labs] [cautioned|noted|stressed] that the "
        "[sample|effect|signal] [was small|needs replication|could be seasonal].",
    ),
    "culture": (
        "[Tickets|Seats|Passes] for the [opening|premiere|first week] [sold out|went on sale|were "
        "allocated] [within hours|on {day}|by lottery].",
        "[Curators|Organisers|Critics] [describe|call|praise] the [programme|collection|staging] as "
        "[unusually bold|long overdue|quietly radical].",
    ),
}

QUOTES = (
    "we cannot keep postponing this conversation",
    "nobody here asked for a miracle, only for a timetable",
    "the numbers speak for themselves, and they are not comfortable",
    "this is a question of trust more than of money",
    "we were told to wait, and we have waited long enough",
    "there is still room for an agreement if both sides listen",
    "the people who will pay for this were never consulted",
    "we have the data, now we need the political will",
    "it took a crisis to make everyone sit at the same table",
    "every month of delay makes the repair more expensive",
)

SUBHEADINGS = (
    "[What|Who] [is at stake|stands to lose|decides] [in {place}|next]",
    "[A long|An uneven|A difficult] [road|history|start]",
    "[The|Counting the] [cost|numbers|votes]",
    "[Reactions|Doubts|Questions] [in|from] {place2}",
)

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{(\w+)\}")
_YEARS = range(2004, 2023)
_NUMS = (3, 7, 12, 18, 24, 40, 65, 120, 300, 1400)
_FRESH: dict[str, Callable[[random.Random, str], str]] = {
    "num": lambda rng, _s: str(rng.choice(_NUMS) + rng.randint(0, 9)),
    "pct": lambda rng, _s: str(rng.randint(2, 48)),
    "day": lambda rng, _s: rng.choice(DAYS),
    "month": lambda rng, _s: rng.choice(MONTHS),
    "year": lambda rng, _s: str(rng.choice(_YEARS)),
    "year2": lambda rng, _s: str(rng.choice(_YEARS) + 3),
    "quote": lambda rng, _s: rng.choice(QUOTES).capitalize(),
    "things": lambda rng, s: rng.choice(THINGS[s]),
    "role": lambda rng, _s: rng.choice(ROLES),
    "role2": lambda rng, _s: rng.choice(ROLES),
}


def expand(template: str, rng: random.Random, cast: dict[str, str], section: str) -> str:
    """Resolve ``[a|b]`` choices, then ``{slot}`` names (a capitalised name capitalises the value).

    Slots in `cast` are the article's fixed cast; the others are drawn fresh at each use.
    """
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)

    def slot(match: re.Match[str]) -> str:
        key = match.group(1)
        low = key.lower()
        value = cast[low] if low in cast else _FRESH[low](rng, section)
        return value[:1].upper() + value[1:] if key[:1].isupper() else value

    return _SLOT.sub(slot, text)


def name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def make_story(rng: random.Random, section: str) -> tuple[str, list[str], int | None]:
    """Return (title, paragraphs, index of the subheading or None) for a new article in `section`."""
    org = rng.choice(ORGS[section])
    cast = {
        "person": name(rng),
        "person2": name(rng),
        "place": rng.choice(PLACES),
        "place2": rng.choice(PLACES),
        "org": org,
        "org_cap": org[:1].upper() + org[1:],
        "topic": rng.choice(TOPICS[section]),
    }
    title = expand(rng.choice(TITLES), rng, cast, section)
    full = SENTENCES + SECTION_SENTENCES[section]
    pool = list(full)
    rng.shuffle(pool)
    paragraphs: list[str] = []
    words = 0
    target = rng.randint(170, 470)
    while words < target:
        size = rng.randint(2, 4)
        if len(pool) < size:
            pool = list(full)
            rng.shuffle(pool)
        paragraph = " ".join(expand(pool.pop(), rng, cast, section) for _ in range(size))
        words += paragraph.count(" ") + 1
        paragraphs.append(paragraph)
    sub_at: int | None = None
    if len(paragraphs) >= 4 and rng.random() < 0.7:
        sub_at = rng.randint(2, len(paragraphs) - 2)
        paragraphs.insert(sub_at, expand(rng.choice(SUBHEADINGS), rng, cast, section))
    return title, paragraphs, sub_at


def make_sentence(rng: random.Random, section: str) -> str:
    """One stand-alone sentence (teaser excerpts, descriptions, edits)."""
    cast = {
        "person": name(rng),
        "person2": name(rng),
        "place": rng.choice(PLACES),
        "place2": rng.choice(PLACES),
        "org": rng.choice(ORGS[section]),
        "topic": rng.choice(TOPICS[section]),
    }
    cast["org_cap"] = cast["org"][:1].upper() + cast["org"][1:]
    return expand(rng.choice(SENTENCES), rng, cast, section)


TAGS = {
    "world": ("Diplomacy", "Migration", "Borders", "Humanitarian aid", "Security"),
    "politics": ("Elections", "Parliament", "Budget", "Courts", "Coalitions"),
    "business": ("Trade", "Energy", "Markets", "Labour", "Shipping"),
    "science": ("Climate", "Health", "Oceans", "Space", "Geology"),
    "culture": ("Music", "Books", "Film", "Museums", "Theatre"),
}

COMMENTS = (
    "Great article, thanks for sharing this with us.",
    "I have been saying this for years and nobody listens.",
    "Does anyone know where the full report can be downloaded?",
    "Very one-sided coverage, as usual from this outlet.",
    "My cousin lives there and says it is much worse than described.",
    "Finally someone asks the right questions.",
    "Why does this always happen right before the holidays?",
    "Subscribed just to say: excellent reporting.",
)

FILLERS = (
    "Cum at clita latine. Tation nominavi quo id. An est possit adipiscing, error tation qualisque vel te.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.",
    "Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip.",
    "Mea an putent timeam fabellas, eum ea vidit postea intellegam. Per no quod veri.",
    "Vix ut ignota deserunt partiendo, his at tale doctus. Sit impetus eripuit ei.",
)
