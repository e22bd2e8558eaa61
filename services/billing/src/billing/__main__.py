"""`python -m billing serve | relay | consume | migrate`."""

from portal_platform.service import main

from billing.app import definition

if __name__ == "__main__":
    main(definition)
