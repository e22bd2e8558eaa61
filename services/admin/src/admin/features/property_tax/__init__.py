"""Back office "Podatki": rates under the maxima, IN-1/DN-1 filings, taxpayers and decisions."""

from admin.features.property_tax.routes import router

__all__ = ["router"]
