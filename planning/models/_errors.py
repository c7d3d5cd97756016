"""Exceptions raised by the siting models."""

from __future__ import annotations


class SpecificationError(ValueError):
    """A model specification that cannot be solved as stated.

    Raised before any solving starts, e.g. when more sites are required than
    may be chosen, when a site is both required and forbidden, or when the
    budget is below the cost of the required sites. The message names the
    argument at fault and what it needs to be.
    """


class TimeLimitError(TimeoutError):
    """The time limit ran out before any feasible answer was found.

    This says nothing about whether one exists: a longer ``time_limit`` may
    find it. Proven infeasibility raises :class:`SpecificationError` instead.
    """
