"""The rules about names in the front matter that must resolve: ids, factors, related
postmortems, the template, the severity and services (PM102–PM106, PM108).

Pure functions of a postmortem and the check context: no I/O, no clock. Whether an id is
used twice or a `related` id exists is a question about the whole corpus: checker.py's
`Checker.combine` asks it, with these rules.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..model import Postmortem
from ..suggest import did_you_mean
from .hit import Context, Hit, pos, short
from .rule import define, rule

MAX_SUGGESTIONS = 20  # "did you mean" per file

# Found by checker.py across the corpus, and by load/taxonomy.py for a factor id defined twice.
DUPLICATE_ID = define(
    "PM102",
    "duplicate-id",
    summary="Two postmortems share one id.",
    why="Ids are the stable address of a postmortem; links, related incidents and action ids depend on them.",
    fix="Give the newer postmortem its own id (by convention the incident date and a slug, equal to the file name).",
)


@rule(
    "PM103",
    "unknown-factor",
    summary="A contributing factor id (or an `enabled_by` reference) is not in the taxonomy.",
    why="Factors link incidents across time only when they use the same ids.",
    fix=(
        "Use an id from the taxonomy (the finding suggests the closest one), or add the factor to the taxonomy in the "
        "same pull request."
    ),
)
def unknown_factor(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    m = pm.meta
    known = ctx.taxonomy.factors
    own = {cf.factor for cf in m.contributing_factors}
    suggested = 0
    for i, cf in enumerate(m.contributing_factors):
        if cf.factor == "todo":
            yield Hit(
                unknown_factor,
                *pos(pm, "contributing_factors", i, "factor"),
                "contributing factor not chosen yet (`todo`)",
                f"pick an id from {ctx.taxonomy.path} that names this condition",
            )
        elif known and cf.factor not in known:
            suggested += 1  # a suggestion for the first few only: a hostile list has thousands
            close = (
                did_you_mean(cf.factor, {fid: [f.name, f.definition] for fid, f in known.items()})
                if suggested <= MAX_SUGGESTIONS
                else None
            )
            yield Hit(
                unknown_factor,
                *pos(pm, "contributing_factors", i, "factor"),
                f"unknown factor `{cf.factor}`" + (f"; did you mean `{close}`?" if close else ""),
                f"use an id from {ctx.taxonomy.path}, or add this factor there",
            )
        for j, ref in enumerate(cf.enabled_by):
            if ref not in own:
                yield Hit(
                    unknown_factor,
                    *pos(pm, "contributing_factors", i, "enabled_by", j),
                    f"`enabled_by` names `{ref}`, which is not a factor of this postmortem",
                    "list only factor ids that appear in this postmortem's contributing_factors",
                )
    for i, action in enumerate(m.actions):
        for j, ref in enumerate(action.addresses):
            if ref not in own:
                yield Hit(
                    unknown_factor,
                    *pos(pm, "actions", i, "addresses", j),
                    f"action {i + 1} addresses `{ref}`, which is not a factor of this postmortem",
                    "list only factor ids that appear in this postmortem's contributing_factors",
                )


@rule(
    "PM104",
    "unknown-related",
    summary="A `related` id names no postmortem.",
    why="A broken link between incidents is a lost lesson.",
    fix="Use the id of an existing postmortem (see the catalog).",
)
def unknown_related(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    """A postmortem related to itself; whether the other ids exist, checker.py asks."""
    m = pm.meta
    for i, ref in enumerate(m.related):
        if ref == m.id:
            yield Hit(unknown_related, *pos(pm, "related", i), "a postmortem cannot be related to itself", "remove it")


@rule(
    "PM105",
    "unknown-template",
    summary="The `template` names no template in templates/.",
    why="The template is the specification of the sections a postmortem must have.",
    fix="Use `standard` or `lightweight`, or add a template file.",
)
def unknown_template(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    if pm.meta.template not in ctx.templates:
        yield Hit(
            unknown_template,
            *pos(pm, "template"),
            f"no template `{pm.meta.template}` in {ctx.settings.templates_dir}/",
            f"use one of: {', '.join(sorted(ctx.templates)) or 'standard'}",
        )


@rule(
    "PM106",
    "unknown-severity",
    summary="The severity is not one of the configured severities.",
    why="Insights and reports group incidents by severity; an unknown one falls out of every chart.",
    fix="Use one of the severities listed in mkdocs.yml (`severities:`).",
)
def unknown_severity(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    m = pm.meta
    if m.severity not in ctx.settings.severities:
        close = [
            s for s in ctx.settings.severities if s.casefold() == m.severity.casefold()
        ] or difflib.get_close_matches(m.severity, ctx.settings.severities, n=1)
        yield Hit(
            unknown_severity,
            *pos(pm, "severity"),
            f"unknown severity `{m.severity}`" + (f"; did you mean `{close[0]}`?" if close else ""),
            f"use one of: {', '.join(ctx.settings.severities)}",
        )


@rule(
    "PM108",
    "unknown-service",
    summary=(
        "A service id in `services` is not in the service catalog (`postmortems/services.yml`), or the catalog itself "
        "is malformed."
    ),
    why=(
        "Service pages, owners and the graph group incidents by service id. A near-duplicate such as `payments` beside "
        "`payments-gateway` splits one service's history in two, so its recurring factors and open actions never show "
        "together. Without a `services.yml` the rule is silent."
    ),
    fix=(
        "Use an id from `postmortems/services.yml` (the finding suggests the closest one), or add the service there "
        "with its `name`, `owner` team and `tier` (1–3) in the same pull request."
    ),
)
def unknown_service(pm: Postmortem, ctx: Context) -> Iterator[Hit]:
    """Service ids the catalog does not know; silent without a catalog."""
    catalog = ctx.taxonomy.services
    if catalog is None:
        return
    known = catalog.services
    candidates: dict[str, list[str]] | None = None  # built at the first unknown id only
    for i, sid in enumerate(pm.meta.services):
        if sid in known:
            continue
        if candidates is None:
            candidates = {k: [s.name, s.owner or ""] for k, s in known.items()}
        close = did_you_mean(sid, candidates) if i < MAX_SUGGESTIONS else None
        yield Hit(
            unknown_service,
            *pos(pm, "services", i),
            f"unknown service `{short(sid)}`" + (f"; did you mean `{close}`?" if close else ""),
            f"use an id from {catalog.path}, or add this service there (id, name, owner, tier)",
        )
