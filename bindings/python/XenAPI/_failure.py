"""Failure: the exception a XenAPI call raises when the server answers Status=Failure.

The generated module (_api.py) adds one subclass per error code of the schema, so that
`except XenAPI.VM_BAD_POWER_STATE` catches exactly that code; every subclass is a Failure, so
`except XenAPI.Failure` still catches them all, as with the well-known XenAPI.py.
"""

from __future__ import annotations


class Failure(Exception):
    """A XenAPI failure. `details` is the server's ErrorDescription: the code, then its
    parameters, all strings. `code` and `params` split it."""

    code_name: str | None = None
    param_names: tuple[str, ...] = ()

    def __init__(self, details):
        details = [str(d) for d in (details or ["UNKNOWN_ERROR"])]
        super().__init__(details)
        self.details = details

    @property
    def code(self) -> str:
        return self.details[0]

    @property
    def params(self) -> list[str]:
        return self.details[1:]

    def param(self, name: str) -> str | None:
        """The parameter the schema names `name`, or None when the server left it out."""
        try:
            index = self.param_names.index(name)
        except ValueError:
            raise KeyError(f"{self.code} has no parameter '{name}'") from None
        return self.params[index] if index < len(self.params) else None

    def __str__(self) -> str:
        names = list(self.param_names) + [f"#{i}" for i in range(len(self.param_names),
                                                                 len(self.params))]
        shown = ", ".join(f"{n}={v}" for n, v in zip(names, self.params))
        return f"{self.code}({shown})" if shown else self.code


def failure_for(details, registry: dict[str, type[Failure]]) -> Failure:
    """The Failure of the right subclass for `details`, which the server sent."""
    details = list(details or ["UNKNOWN_ERROR"])
    return registry.get(str(details[0]), Failure)(details)
