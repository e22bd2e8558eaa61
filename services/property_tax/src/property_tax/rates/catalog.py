"""Categories of taxable objects (art. 5 ust. 1 upol) and the statutory maxima shipped as data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """A kind of taxable object: its group (land, building, structure), label and unit."""

    key: str
    group: str  # land | building | structure
    label: str
    unit: str  # m² | ha | value

    @property
    def by_value(self) -> bool:
        return self.group == "structure"


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category("land_business", "land", "grunty związane z prowadzeniem działalności gospodarczej", "m²"),
        Category("land_water", "land", "grunty pod wodami powierzchniowymi (jeziora, zbiorniki sztuczne)", "ha"),
        Category("land_other", "land", "grunty pozostałe (w tym pod domem mieszkalnym)", "m²"),
        Category("land_revitalisation", "land", "grunty niezabudowane na obszarze rewitalizacji", "m²"),
        Category("building_residential", "building", "budynki mieszkalne lub ich części", "m²"),
        Category("building_business", "building", "budynki związane z działalnością gospodarczą", "m²"),
        Category("building_seed", "building", "budynki zajęte na obrót kwalifikowanym materiałem siewnym", "m²"),
        Category("building_health", "building", "budynki związane z udzielaniem świadczeń zdrowotnych", "m²"),
        Category("building_other", "building", "budynki pozostałe (garaże, letniskowe, gospodarcze)", "m²"),
        Category("structure", "structure", "budowle związane z działalnością gospodarczą", "value"),
    )
}  # fmt: skip
