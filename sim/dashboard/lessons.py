"""Guided lessons: question → prediction → experiment → explanation.

Each lesson isolates one brake of the study on the synthetic classroom territories and turns on
side-by-side mode, so that a class sees the same world with and without the levers (same seed,
common random numbers) rather than two unrelated runs. Pupils predict a direction, play to the
lesson's month, and read the answer on one number, over ten seeds computed in the background
(`bands`): one seed is one draw of chance, and a lesson taught from it would teach noise.

`claim` is the direction the explanation states; `tests/test_dashboard_lessons.py` checks it
against the ten-seed result, so that a lesson cannot say what the model does not show. Figures
quoted in comments were measured on seeds 1–10 (Dec. 2026 model): rerun that test after any
change to the mechanisms.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.dashboard.adapter import CLASSROOM, Frames, Settings
from sim.dashboard.bands import outcome_value

# What a pupil may predict; `direction` is compared with the band's (`bands.direction`).
PREDICTIONS = {
    "↑": {"fr": "hausse", "en": "rises", "direction": "up"},
    "↓": {"fr": "baisse", "en": "falls", "direction": "down"},
    "≈": {"fr": "pas d'effet net sûr", "en": "no sure net effect", "direction": "mixed"},
}


@dataclass(frozen=True)
class Lesson:
    key: str
    title: dict[str, str]
    question: dict[str, str]
    text: dict[str, str]  # the explanation, shown once the lesson's month is reached
    settings: Settings
    map_output: str
    outcome: str  # see `bands.outcome_value`
    outcome_label: dict[str, str]
    stop_month: int
    claim: str  # 'up', 'down' or 'mixed': what `text` says the outcome does


def lesson_value(frames: Frames, outcome: str) -> float:
    """The lesson's number on the run on screen: with minus without the levers."""
    if frames.baseline_timeseries is None:
        return outcome_value(frames.timeseries, frames.territory, outcome)
    return outcome_value(frames.timeseries, frames.territory, outcome) - outcome_value(
        frames.baseline_timeseries, frames.baseline_territory, outcome
    )


LESSONS = (
    Lesson(
        key="premises",
        title={
            "fr": "Pourquoi le foncier compte dans une métropole dense",
            "en": "Why premises matter in a dense metropolis",
        },
        question={
            "fr": "Une foncière solidaire et la reconversion de friches : les emplois de l'ESS "
            "de la métropole, après dix ans, vont-ils augmenter, baisser, ou rien de sûr ?",
            "en": "A land trust and brownfield reuse: will the metropolis's ESS jobs after ten "
            "years rise, fall, or show no sure effect?",
        },
        text={
            "fr": "Dans une métropole dense, les locaux d'activité vacants sont rares et chers, "
            "et les propriétaires préfèrent des locataires classiques : une entreprise de l'ESS "
            "qui pourrait grandir n'a pas où s'installer. Une foncière solidaire achète des locaux "
            "vacants et les loue d'abord à l'ESS, sous le prix du marché ; la reconversion de "
            "friches rend de la surface. Mais des locaux ne créent pas de clients : la demande de "
            "la métropole est partagée entre les structures d'un même secteur, et la foncière "
            "n'achète que ce que l'ESS demande, dans la limite de son capital. Sur dix graines, "
            "les emplois de l'ESS de la métropole augmentent neuf fois et baissent une fois "
            "(de quelque −160 à +440 emplois à dix ans) : ils augmentent, mais d'un montant "
            "très variable. Le local est un frein pour les structures qui ont des clients et pas "
            "de place ; une structure d'insertion peut payer son loyer avec l'aide de l'État à "
            "ses postes, et là où la demande manque, un local de plus ne change rien. Une seule "
            "graine ne suffit pas pour conclure.",
            "en": "In a dense metropolis vacant business premises are scarce and dear, and "
            "landlords prefer conventional tenants: a social enterprise that could grow has "
            "nowhere to go. A land trust buys vacant premises and lets them to the ESS first, "
            "below market rent; brownfield reuse returns floor space. But premises do not bring "
            "clients: the metropolis's demand is shared among the structures of each sector, and "
            "the trust buys only what the ESS asks for, within its capital. Over ten seeds the "
            "metropolis's ESS jobs rise nine times and fall once (from some −160 to +440 jobs "
            "after ten years): they rise, by very different amounts. Premises are a brake for "
            "structures that have clients and no room; an insertion structure can pay its rent "
            "with the State's aid for its posts, and where demand is short, more floor changes "
            "nothing. One seed is not enough to conclude.",
        },
        settings=Settings(CLASSROOM, 1, {"land_trust": 0.8, "brownfields": 0.5}, True),
        map_output="ess_jobs_total",
        # Seeds 1–10, month 120, eleventh session's model (lots' volume on the buyers' spend,
        # EA supervisors on their posts): −126 to +495 jobs in the metropolis, 9 seeds up
        # (tenth session: −157 to +442, 9 up)
        # (ninth session: −119 to +426, 7 up; +139 to +589 when the ceiling counted sales only).
        outcome="ess_jobs_total@metropolis",
        outcome_label={"fr": "emplois ESS de la métropole", "en": "ESS jobs in the metropolis"},
        stop_month=120,
        claim="up",
    ),
    Lesson(
        key="known_suppliers",
        title={
            "fr": "Une entreprise industrielle n'achète qu'aux fournisseurs qu'elle connaît",
            "en": "An industrial firm only buys from suppliers it knows",
        },
        question={
            "fr": "Mise en relation et coopération industrielle : après cinq ans, le nombre de "
            "liens ESS–industrie va-t-il augmenter, baisser, ou rien de sûr ?",
            "en": "Matchmaking and industrial cooperation: after five years, will the number "
            "of ESS–industry ties rise, fall, or show no sure effect?",
        },
        text={
            "fr": "Un acheteur industriel consulte les fournisseurs qu'il connaît déjà : une "
            "entreprise de l'ESS compétente reste invisible, et un lien tout neuf peut se perdre "
            "si les premières livraisons déçoivent. La mise en relation (plateforme de sourcing, "
            "rencontres d'affaires) fait découvrir des fournisseurs ; la coopération industrielle "
            "installe certains d'entre eux sur le site de l'industriel. Les liens augmentent sur "
            "chaque graine ; les emplois, eux, suivent moins sûrement : regardez l'écart "
            "d'emplois d'une graine à l'autre.",
            "en": "An industrial buyer asks the suppliers it already knows: a capable social "
            "enterprise stays invisible, and a brand-new tie can be lost if the first deliveries "
            "disappoint. Matchmaking (a sourcing platform, business meetings) makes suppliers "
            "known; industrial cooperation moves some of them onto the firm's own site. Ties "
            "rise on every seed; jobs follow less surely: compare the job gap across seeds.",
        },
        settings=Settings(CLASSROOM, 1, {"matchmaking": 0.8, "industrial_cooperation": 0.5}, True),
        map_output="ess_industry_ties",
        # Seeds 1–10, month 60: +196 to +277 ties (eleventh session; tenth: +201 to +285).
        outcome="ess_industry_ties",
        outcome_label={"fr": "liens ESS–industrie", "en": "ESS–industry ties"},
        stop_month=60,
        claim="up",
    ),
    Lesson(
        key="reserved_markets",
        title={
            "fr": "Marchés réservés et candidatures groupées",
            "en": "Reserved markets and joint bids",
        },
        question={
            "fr": "Des lots réservés aux structures d'insertion et aux entreprises adaptées : "
            "après cinq ans, les années-emplois de l'ESS vont-elles augmenter, baisser, ou rien "
            "de sûr ?",
            "en": "Lots reserved for work-integration and disability-inclusive enterprises: "
            "after five years, will ESS job-years rise, fall, or show no sure effect?",
        },
        text={
            "fr": "Avec des coûts unitaires plus élevés, une entreprise de l'ESS perd les appels "
            "d'offres jugés sur le prix. Le code de la commande publique permet de réserver des "
            "lots aux structures d'insertion et aux entreprises adaptées ; encore faut-il qu'un "
            "lot soit à leur taille : on divise les lots, et plusieurs structures répondent "
            "ensemble (groupement). Les années-emplois augmentent sur les dix graines (de "
            "+250 à +590 en cinq ans). Le surprix des lots réservés, payé par les acheteurs "
            "publics, compte dans le coût.",
            "en": "With higher unit costs a social enterprise loses tenders judged on price. "
            "French procurement law lets buyers reserve lots for work-integration and disability-"
            "inclusive enterprises; the lot must still fit them: lots are divided, and several "
            "structures bid together (joint bids). Job-years rise on all ten seeds (+250 to "
            "+590 in five years). The reserved lots' price premium, paid by public buyers, "
            "counts in the cost.",
        },
        settings=Settings(CLASSROOM, 1, {"reserved_markets": 0.7}, True),
        map_output="ess_jobs_insertion",
        # Seeds 1–10, month 60: +253 to +588 net job-years, 10 seeds up (eleventh session's model:
        # lots' volume on the buyers' spend; tenth session: −109 to +226, 9 up).
        outcome="ess_job_years",
        outcome_label={"fr": "années-emplois nettes de l'ESS", "en": "net ESS job-years"},
        stop_month=60,
        claim="up",
    ),
    Lesson(
        key="reduced_vat",
        title={
            "fr": "Ce que change vraiment une TVA réduite",
            "en": "What a reduced VAT really changes",
        },
        question={
            "fr": "Une TVA réduite sur les ventes de l'ESS : après dix ans, les années-emplois "
            "de l'ESS vont-elles augmenter, baisser, ou rien de sûr ?",
            "en": "A reduced VAT on ESS sales: after ten years, will ESS job-years rise, fall, "
            "or show no sure effect?",
        },
        text={
            "fr": "Une TVA réduite ne touche que les ventes aux ménages : les clients "
            "professionnels récupèrent la TVA. Les vendeurs ne répercutent qu'une partie de la "
            "baisse sur leurs prix, et l'État renonce à la taxe sur toutes les ventes couvertes, "
            "y compris celles qui auraient eu lieu sans elle. Le coût est certain (une dépense "
            "fiscale, sur chaque graine) ; l'effet sur l'emploi est fragile : ici, les "
            "années-emplois augmentent sur huit graines sur dix et baissent sur deux (de −210 à "
            "+770) : rien de sûr sur ce territoire. Dans la région par défaut, l'effet est "
            "positif (+1 491 années-emplois en dix ans, entre +1 135 et +1 847, pour 182 M€ de "
            "taxe non perçue), soit environ 122 000 € par année-emploi ajoutée (entre 99 000 et "
            "160 000 €), bien plus que l'aide au poste d'insertion (~12 500 € par an).",
            "en": "A reduced VAT only touches sales to households: business customers recover "
            "VAT anyway. Sellers pass on only part of the cut to their prices, and the State "
            "forgoes the tax on every covered sale, including those that would have happened "
            "without it. The cost is certain (a tax expenditure, on every seed); the effect on "
            "jobs is fragile: here job-years rise on eight seeds of ten and fall on two (from "
            "−210 to +770): no sure effect on this territory. In the default region the effect "
            "is positive (+1,491 job-years over ten years, between +1,135 and +1,847, for 182 M€ "
            "of tax forgone), about 122,000 € per added job-year (between 99,000 and "
            "160,000 €), far more than the aid per insertion post (~12,500 € a year).",
        },
        settings=Settings(CLASSROOM, 1, {"impact_vat": 1.0}, True),
        map_output="public_cost_eur",
        # Seeds 1–10, month 120: −208 to +769 net job-years (8 seeds up; eleventh session);
        # default region (docs/lever_costs.md, 20 seeds): +1,491 [1,135; 1,847] for 182.09 M€.
        outcome="ess_job_years",
        outcome_label={"fr": "années-emplois nettes de l'ESS", "en": "net ESS job-years"},
        stop_month=120,
        claim="mixed",
    ),
)

BY_KEY = {lesson.key: lesson for lesson in LESSONS}
