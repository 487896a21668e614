"""Unified procurement (统一采购), the district centre's side, one module per part: the catalogue,
suppliers (qualifications, standing, ratings), framework contracts, spend, and tenders with
sealed bids. Django finds the models here; other code may import them from here too."""

from shared_apps.procurement.models.catalogue import CatalogueItem, Category
from shared_apps.procurement.models.contracts import ContractPrice, FrameworkContract
from shared_apps.procurement.models.spend import SpendLine
from shared_apps.procurement.models.suppliers import (
    Qualification,
    Supplier,
    SupplierEvent,
    SupplierRating,
    SupplierUser,
)
from shared_apps.procurement.models.tenders import (
    Award,
    Bid,
    BidLine,
    CommitteeSeat,
    Criterion,
    Evaluator,
    Lot,
    PresentedShare,
    Requisition,
    RequisitionLine,
    Score,
    Tender,
    TenderEvent,
    TenderLine,
    TenderLineSource,
)

__all__ = [
    "Award",
    "Bid",
    "BidLine",
    "CatalogueItem",
    "Category",
    "CommitteeSeat",
    "ContractPrice",
    "Criterion",
    "Evaluator",
    "FrameworkContract",
    "Lot",
    "PresentedShare",
    "Qualification",
    "Requisition",
    "RequisitionLine",
    "Score",
    "SpendLine",
    "Supplier",
    "SupplierEvent",
    "SupplierRating",
    "SupplierUser",
    "Tender",
    "TenderEvent",
    "TenderLine",
    "TenderLineSource",
]
