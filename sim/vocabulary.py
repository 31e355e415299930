"""The model's vocabulary: the names every module agrees on, and the integer codes stored in its
arrays. A leaf module (it imports nothing from ``sim``), so configuration, markets, actor
families, levers and outputs can all read it without importing each other.
"""

from __future__ import annotations

from enum import IntEnum

LEGAL_FORMS = ("EI", "ACI", "ETTI", "AI", "EA", "SCOP", "SCIC", "ASSOCIATION")
INSERTION_FORMS = ("EI", "ACI", "AI", "ETTI")  # structures d'insertion par l'activité économique
RESERVED_FORMS = (*INSERTION_FORMS, "EA")  # eligible for reserved lots (CCP L2113-12 to -14)

SECTORS = ("collection_recycling", "reuse_reconditioning", "subcontracting_services",
           "manufacturing")
FEEDSTOCK_SECTORS = ("collection_recycling", "reuse_reconditioning")  # need waste feedstock
INDUSTRIAL_SECTORS = tuple(SECTORS.index(s) for s in ("collection_recycling", "manufacturing"))

TERRITORY_KINDS = ("region", "departement", "epci", "france", "synthetic")
DENSITY_CLASSES = ("dense", "intermediate", "relaxed")
ARCHETYPES = ("metropolis", "medium_town", "rural", "industrial_basin")


class TieKind(IntEnum):
    """What links an industrial firm to an ESS enterprise on the economic graph."""

    SUPPLY = 0      # the firm buys from the enterprise; lost when trust runs out
    IMPLANT = 1     # the enterprise works on the firm's site (industrial cooperation)
    OWNERSHIP = 2   # the firm acquired the enterprise


class FloorStock(IntEnum):
    """The territory floor-space stocks of the ledger (rows of ``Ledger.territory_floor``)."""

    PRIVATE = 0     # vacant activity premises of private landlords
    TRUST = 1       # vacant premises of solidarity land trusts
    BROWNFIELD = 2  # industrial brownfields, unusable until rehabilitated
    HOST = 3        # industrial firms' idle floor they may lend an ESS implant
