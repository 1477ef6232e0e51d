"""The same compiled rules as an OpenFisca TaxBenefitSystem (values only, OpenFisca's defaults).

OpenFisca fills a missing input with its default, so this system answers as if every fact were
known; it exists for interoperability (OpenFisca tools, its web API) and as a cross-check of the
masked evaluator on fully known households.
"""

from __future__ import annotations

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DateUnit
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable as OpenFiscaVariable

from eligibility import parameters as params
from eligibility.formula.ir import EnumType


def _entities():
    person = build_entity("person", "persons", "A person", is_person=True)
    household = build_entity("household", "households", "A household",
                             roles=[{"key": "member", "plural": "members", "label": "Member"}])
    return person, household


class _Context:
    """Adapts a compiled formula to OpenFisca's populations and periods."""

    def __init__(self, ruleset, population, period, tables: dict):
        self.ruleset, self.population, self.period, self.tables = ruleset, population, period, tables

    def _period_of(self, name: str):
        wanted = self.ruleset.variables[name].period
        return self.period.this_year if wanted == "year" else self.period.first_month

    def variable(self, name: str, scope: str, convert):
        period = self._period_of(name)
        if convert == "given":
            # OpenFisca has no known masks: a fact is given when the situation set it for the period.
            holder = self.population.simulation.get_holder(name)
            given = any(str(p) == str(period) for p in holder.get_known_periods())
            size = self.population.count if scope != "members" else self.population.members.count
            return np.zeros(size), (None if given else np.zeros(size, dtype=bool))
        if scope == "household" and self.population.entity.key == "person":
            value = self.population.household(name, period)
        elif scope == "members":
            value = self.population.members(name, period)
        else:
            value = self.population(name, period)
        value = np.asarray(value)
        if convert == "per_month":
            value = value / 12
        elif convert == "per_year":
            value = value * 12
        return value, None

    def plain(self, name: str):
        return self.variable(name, "self", None)

    def parameter(self, read, keys: list, known=None):
        start = self.period.start
        import datetime as dt

        path, key_types = read.path, read.key_types
        instant = params.on_date(dt.date(start.year, start.month, start.day), read.on).isoformat()
        node = params.find(self.ruleset.parameters, path)
        if not keys:
            return params.value_at(node, instant)
        table = self.tables.get((path, instant))
        if table is None:
            table = self.tables[(path, instant)] = params.Table(node, instant)
        maps = [params.enum_to_axis(t.values, tuple(a[1])) if a[0] == "name" and isinstance(t, EnumType)
                else None for a, t in zip(table.axes, key_types, strict=True)]
        return table.lookup(keys, maps)

    def aggregate(self, function: str, value, known):
        value = np.broadcast_to(value, (self.population.members.count,))
        if function in ("sum", "count"):
            return self.population.sum(value.astype(float)), None
        return getattr(self.population, function)(value), None

    def member_count(self):
        return self.population.nb_persons().astype(float)


def _formula(ruleset, run, tables):
    def formula(population, period, parameters):
        value, _ = run(_Context(ruleset, population, period, tables))
        # A formula settled the same way for everyone may give one value (a constant branch): OpenFisca
        # wants an array per entity.
        value = np.asarray(value)
        return value if value.shape == (population.count,) else np.broadcast_to(value, (population.count,)).copy()
    return formula


def build_tax_benefit_system(ruleset) -> TaxBenefitSystem:
    """An OpenFisca TaxBenefitSystem with the rule set's entities, parameters and variables."""
    person, household = _entities()
    system = TaxBenefitSystem([person, household])
    system.parameters = ruleset.parameters
    entities = {"person": person, "household": household}
    tables: dict = {}
    for name, variable in ruleset.variables.items():
        attributes = {
            "entity": entities[variable.entity],
            "definition_period": DateUnit.YEAR if variable.period == "year" else DateUnit.MONTH,
            "label": variable.label,
            "reference": [r.get("href") for r in variable.reference],
            "documentation": variable.documentation or None,
        }
        if isinstance(variable.type, EnumType):
            enum = Enum(f"{name}_values", [(v, v) for v in variable.possible_values])
            attributes.update(value_type=Enum, possible_values=enum,
                              default_value=enum[variable.possible_values[0]])
        else:
            attributes["value_type"] = {"bool": bool, "int": int}.get(variable.value_type, float)
        for formula in variable.formulas:
            key = "formula" if formula.start.year == 1 else f"formula_{formula.start:%Y_%m_%d}"
            attributes[key] = _formula(ruleset, formula.run, tables)
        system.add_variable(type(name, (OpenFiscaVariable,), attributes))
    return system
