"""Events of waste: charge requests to billing."""
