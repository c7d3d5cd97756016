"""Exceptions raised by the siting models."""

from __future__ import annotations


class SpecificationError(ValueError):
    """A model specification that cannot be solved as stated.

    Raised before any solving starts, e.g. when more sites are required than
    may be chosen, when a site is both required and forbidden, or when the
    budget is below the cost of the required sites. The message names the
    argument at fault and what it needs to be.
    """
