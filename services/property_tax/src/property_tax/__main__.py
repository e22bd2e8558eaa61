"""`python -m property_tax serve | relay | migrate | demo`."""

from portal_platform.service import main
from property_tax.app import definition

if __name__ == "__main__":
    main(definition)
