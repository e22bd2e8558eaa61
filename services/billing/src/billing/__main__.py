"""`python -m billing serve | relay | consume | migrate`."""

from billing.app import definition
from portal_platform.service import main

if __name__ == "__main__":
    main(definition)
