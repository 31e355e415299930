"""Guided lessons: presets that set up a run and say, in a few lines, what to look at.

Each lesson isolates one brake of the study on the synthetic classroom territories and turns on
side-by-side mode, so that a class sees the same world with and without the levers (same seed,
common random numbers) rather than two unrelated runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.dashboard.adapter import CLASSROOM, Settings


@dataclass(frozen=True)
class Lesson:
    key: str
    title: dict[str, str]
    text: dict[str, str]
    settings: Settings
    map_output: str


LESSONS = (
    Lesson(
        key="premises",
        title={
            "fr": "Pourquoi le foncier compte dans une métropole dense",
            "en": "Why premises matter in a dense metropolis",
        },
        text={
            "fr": "Dans une métropole dense, les locaux d'activité vacants sont rares et chers, "
            "et les propriétaires préfèrent des locataires classiques : une entreprise de l'ESS "
            "qui pourrait grandir n'a pas où s'installer. Une foncière solidaire achète des locaux "
            "vacants et les loue d'abord à l'ESS, sous le prix du marché ; la reconversion de "
            "friches rend de la surface. Comparez les deux cartes : l'écart se creuse là où le "
            "foncier est tendu, pas à la campagne.",
            "en": "In a dense metropolis vacant business premises are scarce and dear, and "
            "landlords prefer conventional tenants: a social enterprise that could grow has "
            "nowhere to go. A land trust buys vacant premises and lets them to the ESS first, "
            "below market rent; brownfield reuse returns floor space. Compare the two maps: the "
            "gap opens where land is tight, not in the countryside.",
        },
        settings=Settings(CLASSROOM, 1, {"land_trust": 0.8, "brownfields": 0.5}, True),
        map_output="ess_jobs_total",
    ),
    Lesson(
        key="known_suppliers",
        title={
            "fr": "Une entreprise industrielle n'achète qu'aux fournisseurs qu'elle connaît",
            "en": "An industrial firm only buys from suppliers it knows",
        },
        text={
            "fr": "Un acheteur industriel consulte les fournisseurs qu'il connaît déjà : une "
            "entreprise de l'ESS compétente reste invisible, et un lien tout neuf peut se perdre "
            "si les premières livraisons déçoivent. La mise en relation (plateforme de sourcing, "
            "rencontres d'affaires) fait découvrir des fournisseurs ; la coopération industrielle "
            "installe certains d'entre eux sur le site de l'industriel. Suivez le nombre de liens "
            "et, dans la vue des liens, leur niveau de confiance.",
            "en": "An industrial buyer asks the suppliers it already knows: a capable social "
            "enterprise stays invisible, and a brand-new tie can be lost if the first deliveries "
            "disappoint. Matchmaking (a sourcing platform, business meetings) makes suppliers "
            "known; industrial cooperation moves some of them onto the firm's own site. Follow "
            "the number of ties and, in the ties view, how much trust they carry.",
        },
        settings=Settings(CLASSROOM, 1, {"matchmaking": 0.8, "industrial_cooperation": 0.5}, True),
        map_output="ess_industry_ties",
    ),
    Lesson(
        key="reserved_markets",
        title={
            "fr": "Marchés réservés et candidatures groupées",
            "en": "Reserved markets and joint bids",
        },
        text={
            "fr": "Avec des coûts unitaires plus élevés, une entreprise de l'ESS perd les appels "
            "d'offres jugés sur le prix. Le code de la commande publique permet de réserver des "
            "lots aux structures d'insertion et aux entreprises adaptées ; encore faut-il qu'un "
            "lot soit à leur taille : on divise les lots, et plusieurs structures répondent "
            "ensemble (groupement). Suivez les emplois d'insertion et adaptés, et ce que coûte "
            "à l'acheteur le surprix des lots réservés.",
            "en": "With higher unit costs a social enterprise loses tenders judged on price. "
            "French procurement law lets buyers reserve lots for work-integration and disability-"
            "inclusive enterprises; the lot must still fit them: lots are divided, and several "
            "structures bid together (joint bids). Follow insertion and adapted jobs, and what "
            "the reserved lots' price premium costs the buyer.",
        },
        settings=Settings(CLASSROOM, 1, {"reserved_markets": 0.7}, True),
        map_output="ess_jobs_insertion",
    ),
    Lesson(
        key="reduced_vat",
        title={
            "fr": "Ce que change vraiment une TVA réduite",
            "en": "What a reduced VAT really changes",
        },
        text={
            "fr": "Une TVA réduite ne touche que les ventes aux ménages : les clients "
            "professionnels récupèrent la TVA. Les vendeurs ne répercutent qu'une partie de la "
            "baisse sur leurs prix, et l'État renonce à la taxe sur toutes les ventes couvertes, "
            "y compris celles qui auraient eu lieu sans elle. Comparez le coût public par emploi "
            "supplémentaire à celui des autres leçons.",
            "en": "A reduced VAT only touches sales to households: business customers recover "
            "VAT anyway. Sellers pass on only part of the cut to their prices, and the State "
            "forgoes the tax on every covered sale, including those that would have happened "
            "without it. Compare the public cost per additional job with the other lessons.",
        },
        settings=Settings(CLASSROOM, 1, {"impact_vat": 1.0}, True),
        map_output="public_cost_eur",
    ),
)

BY_KEY = {lesson.key: lesson for lesson in LESSONS}
