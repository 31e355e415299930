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
            "fr": "Dans une métropole dense, le loyer absorbe une grande part de la marge d'une "
            "entreprise de l'ESS : beaucoup ne trouvent pas de local, d'autres le perdent au "
            "renouvellement du bail. Une foncière solidaire achète des murs et les loue sous le "
            "prix du marché ; la reconversion de friches ajoute de la surface. Sur la carte, "
            "l'effet se concentre dans les territoires denses : à la campagne, le local n'est "
            "pas ce qui manque.",
            "en": "In a dense metropolis rent eats much of a social enterprise's margin: many "
            "find no premises, others lose them when the lease is renewed. A land trust buys "
            "buildings and lets them below market rent; brownfield reuse adds floor space. On "
            "the map the effect concentrates in dense territories: in the countryside, premises "
            "are not what is missing.",
        },
        settings=Settings(CLASSROOM, 1, {"land_trust": 0.8, "brownfields": 0.5}, True),
        map_output="ess_enterprises",
    ),
    Lesson(
        key="known_suppliers",
        title={
            "fr": "Une entreprise industrielle n'achète qu'aux fournisseurs qu'elle connaît",
            "en": "An industrial firm only buys from suppliers it knows",
        },
        text={
            "fr": "Un acheteur industriel consulte les fournisseurs qu'il connaît déjà : une "
            "entreprise de l'ESS compétente reste invisible tant qu'aucune livraison n'a créé "
            "la confiance. La mise en relation fait découvrir des fournisseurs ; la coopération "
            "industrielle transforme un premier contrat en relation durable. Dans la vue des "
            "liens, ils naissent lentement puis la confiance monte avec les livraisons.",
            "en": "An industrial buyer asks the suppliers it already knows: a capable social "
            "enterprise stays invisible until a delivery has built trust. Matchmaking makes "
            "suppliers known; industrial cooperation turns a first contract into a lasting "
            "relationship. In the ties view, links appear slowly, then trust grows with each "
            "delivery.",
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
            "fr": "Le code de la commande publique permet de réserver des marchés aux structures "
            "d'insertion et aux entreprises adaptées. Mais un lot trop gros pour une petite "
            "structure reste sans candidat : en mutualisant leurs salariés et en répondant "
            "ensemble, plusieurs structures peuvent l'emporter. Suivez les emplois d'insertion, "
            "puis les sorties vers l'emploi qu'ils produisent quelques mois plus tard.",
            "en": "French public procurement law lets buyers reserve contracts for work-"
            "integration and disability-inclusive enterprises. But a lot too large for one small "
            "enterprise draws no bid: by pooling staff and bidding jointly, several can win it. "
            "Watch insertion jobs, then the exits to employment they produce a few months later.",
        },
        settings=Settings(CLASSROOM, 1, {"reserved_markets": 0.7, "hr_pooling": 0.5}, True),
        map_output="ess_jobs_insertion",
    ),
    Lesson(
        key="reduced_vat",
        title={
            "fr": "Ce que change vraiment une TVA réduite",
            "en": "What a reduced VAT really changes",
        },
        text={
            "fr": "Une TVA réduite baisse le prix payé par les ménages, pas celui des entreprises "
            "clientes, qui récupèrent la TVA. Elle aide donc l'ESS qui vend aux particuliers, et "
            "l'État renonce aussi à la taxe sur les ventes qui auraient eu lieu sans elle. "
            "Comparez le coût public par emploi supplémentaire à celui des autres leçons.",
            "en": "A reduced VAT lowers the price households pay, not that of business customers, "
            "who recover VAT anyway. It helps the social enterprises selling to consumers, and "
            "the State also forgoes the tax on sales that would have happened without it. "
            "Compare the public cost per additional job with the other lessons.",
        },
        settings=Settings(CLASSROOM, 1, {"impact_vat": 1.0}, True),
        map_output="public_cost_eur",
    ),
)

BY_KEY = {lesson.key: lesson for lesson in LESSONS}
