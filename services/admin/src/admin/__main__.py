"""`python -m admin serve`."""

from admin.app import definition
from portal_platform.service import main

if __name__ == "__main__":
    main(definition)
