"""Generate a synthetic, check-clean postmortem knowledge base for the benchmarks.

    python bench/generate.py DEST N [--seed S]

`generate(dest, n, seed)` writes a self-contained knowledge base into `dest`: the
repository's mkdocs.yml, templates/, ops-playbook/ and postmortems/factors.yml, then
`n` postmortems under postmortems/<year>/<id>.md. The output is deterministic for a
given (n, seed) and passes `pmkb check --today 2026-11-21` with no findings.

`plain_config(dest)` writes dest/mkdocs-plain.yml: the baseline, a stock Material build
(no custom_dir, no shims) of the same Markdown, without the postmortem-kb plugin.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from postmortem_kb.config import read_mkdocs_yml

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 21)
FIRST_DAY = datetime(2019, 1, 1, tzinfo=UTC)
LAST_DAY = datetime(2026, 11, 1, tzinfo=UTC)

# --------------------------------------------------------------------------------------
# Pools. Everything here is written in blameless wording: systems and conditions are the
# subjects of failures; people are the subjects of what went well. The sections the
# templates make public (Summary, Impact, Contributing factors, Lessons learned) and the
# action summaries name roles, never people: the public-leak rule holds them to that.
# --------------------------------------------------------------------------------------

TEAMS: dict[str, str] = {
    # service -> owning team
    "checkout-api": "checkout",
    "cart": "checkout",
    "promotions": "checkout",
    "payments": "payments",
    "payments-processor": "payments",
    "fraud-scoring": "risk",
    "ledger": "finance-eng",
    "billing": "finance-eng",
    "invoicing": "finance-eng",
    "identity": "identity",
    "auth-gateway": "identity",
    "web-frontend": "web",
    "mobile-api": "mobile",
    "notifications": "messaging",
    "customer-comms": "messaging",
    "email-relay": "messaging",
    "sms-gateway": "messaging",
    "orders": "fulfilment",
    "inventory": "fulfilment",
    "warehouse-sync": "fulfilment",
    "shipping-rates": "fulfilment",
    "pricing": "catalogue",
    "catalog": "catalogue",
    "search": "search-relevance",
    "recommendations": "search-relevance",
    "reviews": "catalogue",
    "image-resizer": "media",
    "media-cdn": "media",
    "data-pipeline": "data-platform",
    "marketing-analytics": "growth-analytics",
    "reporting": "data-platform",
    "support-desk": "support-tools",
    "internal-wiki": "developer-experience",
    "ci-runners": "developer-experience",
    "artifact-registry": "developer-experience",
    "feature-flags": "platform",
    "api-gateway": "platform",
    "message-broker": "platform",
    "kubernetes-platform": "platform",
    "service-mesh": "network",
    "dns-resolvers": "network",
    "object-storage": "storage",
    "postgres-fleet": "storage",
    "redis-cache": "storage",
}
SERVICES = list(TEAMS)
ALL_TEAMS = sorted(set(TEAMS.values()))

# First names are chosen so that none is also an English word: the language rules treat
# authors' and owners' names as possible grammatical subjects.
PEOPLE = [
    "Priya Raman",
    "Tomás Ortega",
    "Aisha Bello",
    "Dmitri Volkov",
    "Valeria Ruiz",
    "Tariq Hussain",
    "Zofia Nowak",
    "Rui Takahashi",
    "Ingrid Solberg",
    "Samir Aziz",
    "Chen Wei",
    "Amara Okafor",
    "Lars Eriksen",
    "Mei Lin",
    "Kwame Mensah",
    "Sofia Rossi",
    "Hiroshi Tanaka",
    "Fatima Zahra",
    "Niamh Kelly",
    "Oluwaseun Adeyemi",
    "Elif Demir",
    "Mateo Silva",
    "Anjali Mehta",
    "Björn Lindqvist",
    "Leila Haddad",
    "Jonas Weber",
    "Camila Torres",
    "Yusuf Kaya",
    "Ewa Kowalska",
    "Arjun Nair",
    "Siobhan Byrne",
    "Kenji Watanabe",
    "Nadia Petrova",
    "Diego Morales",
    "Hana Novak",
    "Omar Farouk",
    "Greta Jansen",
    "Ravi Shankar",
    "Ines Carvalho",
    "Tobias Fischer",
    "Marta Jiménez",
    "Thabo Nkosi",
    "Aiko Mori",
    "Pedro Alves",
    "Sana Qureshi",
    "Emeka Obi",
    "Lucía Fernández",
    "Viktor Horvat",
    "Noor Khalil",
    "Henrik Dahl",
    "Yara Nasser",
    "Felix Braun",
    "Chiara Bianchi",
    "Jamal Reid",
    "Daria Sokolova",
    "Kofi Asante",
    "Maren Holm",
    "Ibrahim Sow",
    "Linnea Berg",
    "Sora Kim",
]

VENDORS = [
    "the card payment processor",
    "the SMS provider",
    "the email delivery provider",
    "the CDN provider",
    "the maps API",
    "the tax calculation service",
    "the hosted identity provider",
    "the address validation API",
    "the ad platform",
    "the cloud provider's managed database",
]

TIMEZONES = [
    (UTC, 6),
    (timezone(timedelta(hours=-5)), 3),
    (timezone(timedelta(hours=-4)), 3),
    (timezone(timedelta(hours=-7)), 2),
    (timezone(timedelta(hours=1)), 3),
    (timezone(timedelta(hours=2)), 2),
    (timezone(timedelta(hours=5, minutes=30)), 1),
    (timezone(timedelta(hours=9)), 1),
]

SETTINGS = [
    "connection pool size",
    "request timeout",
    "cache TTL",
    "routing weights",
    "worker concurrency",
    "feature flag defaults",
    "rate limit",
    "autoscaling bounds",
    "retry budget",
    "health check path",
]

TAGS = [
    "capacity",
    "config",
    "certificates",
    "dns",
    "deploys",
    "data",
    "alerting",
    "observability",
    "escalation",
    "access",
    "vendor",
    "retries",
    "migration",
    "ownership",
    "on-call",
    "peak",
    "rollback",
    "runbooks",
    "time",
    "rate-limits",
    "queues",
    "database",
    "cache",
    "networking",
]

# Weights make some factor ids recur far more often than others, as in real corpora.
FACTOR_WEIGHTS = {
    "config-change": 10,
    "capacity-saturation": 8,
    "software-defect": 9,
    "alerting-gap": 8,
    "monitoring-gap": 7,
    "third-party-dependency": 5,
    "deploy-pipeline": 6,
    "internal-dependency": 5,
    "knowledge-gap": 6,
    "remediation-backlog": 5,
    "no-fast-rollback": 4,
    "retry-storm": 3,
    "data-migration": 3,
    "detection-by-customers": 4,
    "mitigation-needs-other-team": 3,
    "missing-access": 3,
    "handoff-ticket-queue": 2,
    "incident-coordination": 3,
    "alert-fatigue": 3,
    "unclear-ownership": 3,
    "production-pressure": 2,
    "toil": 3,
    "expiring-certificate": 2,
    "dns": 2,
    "clock-time": 1,
    "rate-limiting": 2,
    "single-point-of-failure": 3,
    "change-approval-delay": 1,
    "on-call-load": 2,
}

FACTOR_TEXT: dict[str, dict[str, list[Any]]] = {
    "config-change": {
        "desc": [
            "A change to the {setting} of {svc} went out through the configuration service, outside a code release, "
            "and took effect on every instance at once.",
            "An infrastructure definition for {svc} was updated to adjust its {setting}; the new value behaved "
            "differently under production traffic than in staging.",
        ],
        "para": [
            "The change to the {setting} looked small and had been reviewed. Configuration changes for {svc} reach "
            "every instance within a minute, with no canary stage, so the new value met full production traffic at "
            "once. Staging carries about {pct} % of production load, which is why the difference did not show there.",
            "Configuration for {svc} lives apart from its code and ships through a separate path. That path has no "
            "gradual rollout and no automatic comparison of error rates before and after, so the effect of the "
            "{setting} change became visible only through its consequences.",
        ],
        "actions": [
            (
                "Roll out {svc} configuration changes to one zone first, with an automatic halt on error-rate increase",
                "prevent",
            ),
            ("Show recent configuration changes next to the {svc} dashboards and in the incident channel", "detect"),
        ],
    },
    "capacity-saturation": {
        "desc": [
            "The {svc} database connection pool was sized for average traffic and ran out of free connections during "
            "the peak.",
            "Worker pools for {svc} had no headroom left at peak; requests queued behind slow ones and timed out "
            "upstream.",
        ],
        "para": [
            "At the peak, {svc} needed about {n} concurrent connections and the pool allowed {pool}. Once the pool "
            "was exhausted, requests waited for a free connection, the wait pushed latency past the upstream timeout "
            "of {timeout} seconds, and the retries added more waiting work.",
            "Capacity planning for {svc} was based on last year's traffic shape. The load test that set its limits "
            "did not include the batch jobs that now run in the same hour, so the headroom it showed was not there "
            "in production.",
        ],
        "actions": [
            ("Load-test {svc} with the current traffic mix, including batch jobs, before each peak season", "prevent"),
            ("Alert on {svc} connection pool use above 80 % for five minutes", "detect"),
            ("Size the {svc} worker pool from measured peak demand and review it each quarter", "prevent"),
        ],
    },
    "third-party-dependency": {
        "desc": [
            "{Vendor} degraded for {mins} minutes and {svc} had no fallback path while its calls timed out.",
            "{Vendor} changed the format of an error response without notice, and {svc} treated the new response as "
            "a hard failure.",
        ],
        "para": [
            "{Svc} depends on {vendor} for every request on this path. When the provider slowed down, our client "
            "waited the full {timeout} seconds per call, holding threads that other requests needed. There is a "
            "contractual status page, but it showed all green for the first half hour.",
            "Our integration with {vendor} assumed its responses would keep the documented shape. The provider "
            "changed an error format in a minor release, and the client in {svc} had no tolerant parsing for it.",
        ],
        "actions": [
            ("Add a circuit breaker and a degraded mode to {svc} for calls to {vendor}", "mitigate"),
            ("Probe {vendor} from our side every minute and page {team} on sustained failures", "detect"),
        ],
    },
    "internal-dependency": {
        "desc": [
            "{Svc} called {dep} synchronously on its request path, so latency in {dep} became latency in {svc}.",
            "{Dep}, run by the {team2} team, changed the shape of a response that {svc} relied on, and the contract "
            "had no test on our side.",
        ],
        "para": [
            "{Svc} calls {dep} on every request and waits for the answer. When {dep} slowed down, {svc} had no cache "
            "or default to fall back on, so its own latency followed. The two teams had no shared view of the "
            "dependency, and the {team} on-call first saw {dep} as a symptom rather than a source.",
            "The contract between {svc} and {dep} was informal: a field that {svc} read had been optional in {dep} "
            "for a year, and the release that stopped sending it passed every test the {team2} team had.",
        ],
        "actions": [
            ("Add a consumer contract test for {dep} responses to the {svc} pipeline", "prevent"),
            ("Cache {dep} answers in {svc} for five minutes and serve the cached value when calls fail", "mitigate"),
        ],
    },
    "expiring-certificate": {
        "desc": [
            "The TLS certificate on the {svc} internal endpoint reached its expiry date; renewal was a manual step "
            "with no reminder in any system.",
            "A rotated client certificate was not picked up by {svc} until its processes restarted, so its calls to "
            "{dep} failed the handshake.",
        ],
        "para": [
            "The certificate had a one-year life and had been renewed by hand the previous year. Nothing in our "
            "tooling tracked its expiry date, and the person who renewed it last year had moved to another team.",
            "Certificates for internal endpoints are rotated automatically, but {svc} reads its certificate only at "
            "start-up. The rotation succeeded and the old certificate kept being presented until it expired.",
        ],
        "actions": [
            ("Issue the {svc} endpoint certificate from the internal CA with automatic renewal", "prevent"),
            ("Alert 21 days before any certificate in the inventory expires", "detect"),
            ("Make {svc} reload its certificate when the file changes, without a restart", "prevent"),
        ],
    },
    "retry-storm": {
        "desc": [
            "Clients of {svc} retried failed calls immediately and up to five times, multiplying its load while it "
            "was already struggling.",
            "The mobile app retried on every timeout with no backoff, so recovery of {svc} was held back by its own "
            "clients.",
        ],
        "para": [
            "Each failed call to {svc} led to up to five immediate retries, so a 20 % failure rate turned into "
            "roughly twice the normal load. The extra load kept {svc} saturated after the original problem had "
            "passed, and recovery started only once traffic was shed at the gateway.",
            "Retries without backoff or jitter arrived in waves. Every time {svc} recovered enough to answer, the "
            "queued retries arrived together and pushed it back over the edge.",
        ],
        "actions": [
            ("Use exponential backoff with jitter and a retry budget in the shared client library", "prevent"),
            ("Add load shedding at the gateway for {svc} when queue time exceeds one second", "mitigate"),
        ],
    },
    "deploy-pipeline": {
        "desc": [
            "The deployment tool marked the {svc} rollout complete while a third of the instances were still on the "
            "previous version.",
            "The release of {svc} went to all regions in one step, because the pipeline's staged rollout was turned "
            "off during a migration and not turned back on.",
        ],
        "para": [
            "The pipeline reported success based on the orchestration step, not on the health of the new instances. "
            "A third of them never passed their readiness check, and traffic was split between two versions with "
            "different database expectations.",
            "Staged rollouts were turned off for {svc} during a pipeline migration in the spring, and the switch to "
            "turn them back on was part of a migration checklist item that was still open. The release went "
            "everywhere at once.",
        ],
        "actions": [
            ("Make the deploy pipeline wait for readiness of every new instance before reporting success", "prevent"),
            ("Alert when a service runs two versions for more than 30 minutes", "detect"),
        ],
    },
    "data-migration": {
        "desc": [
            "A backfill of {svc} records ran in batches without idempotency keys, so retried batches wrote duplicate "
            "rows.",
            "The schema migration for {svc} reshaped a column that a nightly job still read in the old shape.",
        ],
        "para": [
            "The backfill was designed to run once. When a batch timed out and the job scheduler retried it, the "
            "rows were written again. Nothing downstream checked for duplicates, and the reporting totals grew by "
            "about {pct} %.",
            "The migration was tested against the {svc} application, which was updated in the same release. The "
            "nightly export reads the same table with its own query, written three years earlier, and was not part "
            "of the test plan.",
        ],
        "actions": [
            ("Give every backfill batch an idempotency key and make the writer reject repeats", "prevent"),
            ("List every reader of a table in the schema migration template, from query logs", "process"),
        ],
    },
    "software-defect": {
        "desc": [
            "A code path in {svc} that handles empty responses returned an error instead of an empty list.",
            "{Svc} exited when its broker connection closed during a reconnect, instead of retrying.",
            "A cache key in {svc} did not include the locale, so customers were served pages built for another region.",
        ],
        "para": [
            "The defect had been in {svc} for months, on a path that production reached only when {dep} returned "
            "nothing. Tests covered the normal case and the failure case, but not the empty one.",
            "The code in {svc} treated a closed connection during reconnect as fatal and exited. On the older hosts "
            "it runs on, nothing restarts an exited process, so each worker that hit the condition stayed down.",
        ],
        "actions": [
            ("Fix the {svc} handling of empty responses and add a test for it", "prevent"),
            ("Run {svc} workers under a supervisor that restarts them with backoff", "mitigate"),
        ],
    },
    "rate-limiting": {
        "desc": [
            "{Vendor} applies a per-account quota; traffic from the new region pushed {svc} over it and requests "
            "were refused.",
            "The gateway's rate limit for {svc} was set per IP, and a partner's traffic arriving through one NAT "
            "address was throttled.",
        ],
        "para": [
            "The quota with {vendor} had been set three years earlier and nobody had a current view of how close we "
            "were to it. The new region's traffic went through the same account, and at peak {svc} crossed the limit.",
            "Per-IP limits assume one client per address. The partner's integration sends all of its traffic from a "
            "single NAT gateway, so legitimate requests were throttled as if they came from one abusive client.",
        ],
        "actions": [
            ("Export quota use for {vendor} as a metric and alert at 70 %", "detect"),
            ("Rate-limit {svc} traffic per API key instead of per IP address", "prevent"),
        ],
    },
    "dns": {
        "desc": [
            "The {svc} record carried a one-hour TTL, so resolvers kept the old answer long after the change was "
            "reverted.",
            "The internal resolvers cached a negative answer for {svc} during a brief provider hiccup and served it "
            "for the full negative TTL.",
        ],
        "para": [
            "Reverting the record took a minute. Getting the world to notice took another hour, because the record's "
            "TTL had never been lowered ahead of the move, and some resolvers held the old answer longer still.",
            "A few seconds of failed lookups at the DNS provider were enough for the internal resolvers to cache a "
            "negative answer for {svc}. The negative TTL was set to an hour, a default no one had chosen on purpose.",
        ],
        "actions": [
            ("Lower the TTL of records a day before any planned DNS move, as a step in the change template", "process"),
            ("Set the negative-answer TTL of the internal resolvers to 30 seconds", "prevent"),
        ],
    },
    "clock-time": {
        "desc": [
            "Hosts in one pool for {svc} drifted several minutes from true time after their time sync agent stopped, "
            "and tokens they issued looked expired elsewhere.",
            "A daylight-saving change made the {svc} scheduler run the hourly job twice in one night.",
        ],
        "para": [
            "The time sync agent on one pool had stopped after an image update, and nothing measured clock offset. "
            "As the drift grew, tokens issued by those hosts arrived at other services already expired.",
            "The scheduler in {svc} stores job times in local time. On the night the clocks went back, the same "
            "local hour occurred twice, and the job ran in both.",
        ],
        "actions": [
            ("Alert on clock offset above 500 ms on every host", "detect"),
            ("Store and compare schedule times in UTC in {svc}", "prevent"),
        ],
    },
    "single-point-of-failure": {
        "desc": [
            "All {svc} writes went through a single primary with no automated failover.",
            "One shared instance of {dep} served every environment, so its restart affected production along with "
            "the test environments.",
        ],
        "para": [
            "{Svc} had one primary and a replica that could only be promoted by hand. The promotion runbook had last "
            "been exercised two years before, and it took the team {mins} minutes to carry it out safely.",
            "The shared {dep} instance was a convenience that outlived its reasons. It carried production traffic "
            "and test traffic together, with no way to restart one without the other.",
        ],
        "actions": [
            ("Enable automated failover for the {svc} primary and test it each quarter", "prevent"),
            ("Split the shared {dep} instance into production and non-production instances", "prevent"),
        ],
    },
    "monitoring-gap": {
        "desc": [
            "No metric measured how fresh the {svc} data was, so a stopped pipeline looked the same as a quiet one.",
            "{Svc} was monitored for errors but not for volume; a worker that sends nothing produces no errors.",
        ],
        "para": [
            "Our dashboards for {svc} showed errors and latency, both normal throughout. The job had simply stopped "
            "producing new data, and no measure of freshness or volume existed to show it.",
            "Every signal we had was about things going wrong loudly. A system that quietly stops doing its work "
            "produces none of them, so the first sign was a person noticing a number that had not moved.",
        ],
        "actions": [
            ("Measure data freshness for {svc} and alert when it is older than two hours", "detect"),
            ("Alert when {svc} volume falls below 30 % of the same hour last week", "detect"),
        ],
    },
    "alerting-gap": {
        "desc": [
            "The {svc} latency alert routed to a team mailbox rather than to the on-call rotation.",
            "The error-rate alert for {svc} used a 30-minute window, so it fired well after customers felt the "
            "problem.",
        ],
        "para": [
            "The measurement existed and the graph showed the problem from the first minute. The alert on it, "
            "though, was routed to a mailbox created when {svc} was a prototype, and nobody on the current rotation "
            "read it.",
            "A 30-minute window smooths out noise but also delays the page. By the time the alert for {svc} fired, "
            "support already had a queue of reports and the incident was well under way.",
        ],
        "actions": [
            ("Route every {svc} alert to the {team} on-call rotation and remove the mailbox route", "detect"),
            ("Add a five-minute burn-rate alert on the {svc} error budget", "detect"),
        ],
    },
    "alert-fatigue": {
        "desc": [
            "The {svc} alert had fired about {n} times in the previous month without needing action, and responders "
            "had learned to acknowledge it and move on.",
            "The alert posted to a shared channel that receives a steady stream of automated messages, most of them "
            "unactionable.",
        ],
        "para": [
            "This alert had a long history of firing during nightly batch runs and clearing by itself. When it fired "
            "for a real reason, it looked exactly like all the times before, and the first response was to wait for "
            "it to clear.",
            "The shared channel receives a couple of hundred automated messages a day. One more red line among them "
            "did not stand out, and no rotation was responsible for reading the channel.",
        ],
        "actions": [
            ("Delete or fix every {team} alert that fired more than ten times last month without action", "detect"),
            ("Give the shared alert channel an owner and move paging alerts out of it", "process"),
        ],
    },
    "detection-by-customers": {
        "desc": [
            "Customers reported the problem to support before any of our own signals showed it.",
            "A colleague in another team noticed the broken {svc} page and asked about it in the help channel; no "
            "alert had fired.",
        ],
        "para": [
            "The first report came from support, about {mins} minutes in. Our own checks for {svc} exercised the "
            "happy path from a single region and kept passing throughout.",
            "We learned about the problem from a colleague who happened to use {svc} that morning. Our synthetic "
            "checks looked at the landing page, which kept working, and not at the step that was failing.",
        ],
        "actions": [
            ("Add a synthetic check that completes the full {svc} flow from three regions", "detect"),
            ("Give support a one-click way to page the {team} on-call from a ticket", "process"),
        ],
    },
    "mitigation-needs-other-team": {
        "desc": [
            "Only the {team2} team could restart the {svc} workers, which run on infrastructure they manage.",
            "The mitigation, a failover of {dep}, could be carried out only by the {team2} team, whose on-call had "
            "to be found first.",
        ],
        "para": [
            "The {team} on-call knew within minutes what would restore service. Carrying it out required the {team2} "
            "team, because the workers run on infrastructure only they can change. Most of the time to restore went "
            "into crossing that boundary.",
            "Diagnosis was quick; the wait was not. The failover of {dep} is a {team2} operation, and reaching their "
            "on-call took longer than the diagnosis had.",
        ],
        "actions": [
            ("Give the {team} on-call self-service restart rights for {svc}", "mitigate"),
            ("Add a page-the-{team2}-on-call action to the incident tool", "process"),
        ],
    },
    "handoff-ticket-queue": {
        "desc": [
            "The documented route to the {team2} team was a ticket, filed at normal priority with no page.",
            "The request for help went through the {team2} request form, which queues work for the next business day "
            "by default.",
        ],
        "para": [
            "The runbook pointed to a ticket in the {team2} queue. The form defaults to normal priority and pages no "
            "one, so the request waited behind routine work until someone found another way to reach them.",
            "Work crossed the team boundary through a request form designed for planned changes. Context was lost on "
            "the way, and the {team2} team had to ask again for details the incident channel already held.",
        ],
        "actions": [
            ("Replace the ticket step in the {svc} runbook with a page to the {team2} on-call", "process"),
        ],
    },
    "missing-access": {
        "desc": [
            "The {team} on-call role had read-only access to the {svc} hosts and could see the problem but not act "
            "on it.",
            "Production credentials for {dep} were available only through a break-glass process that took {mins} "
            "minutes.",
        ],
        "para": [
            "The on-call engineer could see the stopped processes but not start them: the role had read access only. "
            "Requesting elevated access is a documented process, designed for planned work, and it took time.",
            "The break-glass process exists for good reasons and worked as designed. It was simply not designed for "
            "an incident where every minute counts, and it added {mins} minutes to the restore.",
        ],
        "actions": [
            ("Grant the {team} on-call role restart and scale rights on {svc}", "mitigate"),
            ("Make break-glass access for on-call responders an automatic grant with an audit trail", "process"),
        ],
    },
    "knowledge-gap": {
        "desc": [
            "The {svc} runbook described an architecture from two years ago, so diagnosis depended on finding "
            "someone who knew the current one.",
            "Few people on the rotation had worked with {dep}, and its behaviour under failover was not documented.",
        ],
        "para": [
            "The runbook for {svc} still described the old queue-based design. The responders spent the first part "
            "of the incident reconciling what the runbook said with what they saw, until an engineer who had worked "
            "on the redesign joined and explained the current setup.",
            "{Dep} is stable and rarely needs attention, which is also why few people know it well. The knowledge of "
            "how it fails over lived with two engineers, and it took time to reach one of them.",
        ],
        "actions": [
            ("Rewrite the {svc} runbook for the current architecture and test it in a game day", "mitigate"),
            ("Run a failover game day for {dep} with the whole {team} rotation", "process"),
        ],
    },
    "no-fast-rollback": {
        "desc": [
            "The release included a database migration, so rolling {svc} back required a fix forward.",
            "Rolling back {svc} meant rebuilding the previous image, which took {mins} minutes in the pipeline.",
        ],
        "para": [
            "The release changed the schema in the same step as the code, so the previous version of {svc} could not "
            "run against the new tables. Restoring service meant writing and shipping a fix forward under pressure.",
            "Rollback was possible but slow: the previous image had been garbage-collected from the registry, and "
            "rebuilding it took {mins} minutes.",
        ],
        "actions": [
            ("Separate schema changes from code releases for {svc}, expand first and contract later", "prevent"),
            ("Keep the last five images of every service in the registry for fast rollback", "mitigate"),
        ],
    },
    "incident-coordination": {
        "desc": [
            "Two teams worked the incident in separate channels for the first half hour, each unaware of the other's "
            "findings.",
            "No incident commander was named until late in the response, so decisions on customer communication "
            "waited.",
        ],
        "para": [
            "The {team} and {team2} teams both saw the symptoms and opened their own channels. Each team held "
            "findings the other was still looking for, and they met only when the incident commander noticed the "
            "second channel.",
            "Without a named incident commander, questions about customer messaging went to whoever seemed senior. "
            "Several people were waiting for a decision that nobody had been asked to make.",
        ],
        "actions": [
            (
                "Make the incident tool open a single channel and name an incident commander for every SEV1 and SEV2",
                "process",
            ),
        ],
    },
    "production-pressure": {
        "desc": [
            "The change was shipped during the week before a major sales event, when the release calendar was full.",
            "A contractual launch date shaped the rollout plan towards speed over a staged release.",
        ],
        "para": [
            "The release went out in the last week before the sales event, together with a dozen others. The usual "
            "soak time in staging was shortened to fit the calendar, a trade-off that had worked several times "
            "before.",
            "The launch date was set in a commercial agreement months earlier. With the date fixed, the staged "
            "rollout was compressed into a single day.",
        ],
        "actions": [
            ("Set a release freeze with an explicit exception process for the week before sales events", "process"),
        ],
    },
    "toil": {
        "desc": [
            "Renewing the {svc} credential was a manual task every 90 days, tracked in one engineer's calendar.",
            "Clearing the {svc} disk was done by hand a few times a week, and the script for it had no guard for a "
            "full disk.",
        ],
        "para": [
            "The credential renewal was a small chore every 90 days, tracked by one person's calendar. When that "
            "engineer moved teams, the reminder went with them, and nothing in the system knew the date.",
            "Disk clean-up on {svc} had been done by hand for a year. It took ten minutes, a few times a week, and "
            "never quite reached the top of the backlog to automate.",
        ],
        "actions": [
            ("Automate the {svc} credential rotation through the secrets manager", "prevent"),
            ("Replace the manual {svc} clean-up with a scheduled job and a disk-use alert", "prevent"),
        ],
    },
    "remediation-backlog": {
        "desc": [
            "A fix for this class of problem had been agreed after an earlier incident and was still waiting to be "
            "scheduled.",
            "The automation that prevents this was on the {team} roadmap for two quarters and had been displaced by "
            "feature work each time.",
        ],
        "para": [
            "We had seen this before: an earlier postmortem recommended the same change, and the action was still "
            "open. It had been ranked below feature work twice, each time for reasons that made sense on their own.",
            "The fix was known and estimated at two weeks. It sat on the {team} roadmap for two quarters, always one "
            "item below the cut line.",
        ],
        "actions": [
            ("Review open remediation items older than 90 days in the monthly {team} planning", "process"),
        ],
    },
    "unclear-ownership": {
        "desc": [
            "After a reorganisation, neither the {team} team nor the {team2} team listed {svc} as theirs, and its "
            "alerts had no rotation behind them.",
            "The component was built by the {team2} team for the {team} team and never formally handed over.",
        ],
        "para": [
            "{Svc} was built by the {team2} team on behalf of the {team} team, who used it but never ran it. After "
            "the reorganisation each team thought of it as the other's, and its alerts went to a rotation that no "
            "longer existed.",
            "Nobody owned {svc} in the service catalogue. It worked well enough that the gap never came up, until it "
            "needed someone.",
        ],
        "actions": [
            ("Assign {svc} an owning team in the service catalogue and route its alerts there", "process"),
            ("Fail the catalogue check for any production service without an owning team", "prevent"),
        ],
    },
    "change-approval-delay": {
        "desc": [
            "Reverting the change counted as a new change and needed an emergency approval that took {mins} minutes "
            "to arrange.",
            "A change freeze was in place, and the mitigation waited for an exception from the change board.",
        ],
        "para": [
            "Putting the previous value back was a one-line change. It still needed an emergency approval from the "
            "change board, and convening it took {mins} minutes.",
            "The freeze exists to protect a busy period, and it did its job for planned work. The exception process "
            "had no fast path for a mitigation during an incident.",
        ],
        "actions": [
            ("Pre-approve reverting a change to its previous value as a standard change", "process"),
        ],
    },
    "on-call-load": {
        "desc": [
            "The {team} on-call had been paged {n} times that week and was handling another incident when this one "
            "began.",
            "The rotation had four people covering three services, so each shift carried a heavy load of "
            "interruptions.",
        ],
        "para": [
            "The on-call engineer was already working a separate incident when the page arrived. With two problems "
            "and one responder, the second waited for attention.",
            "The rotation is small for what it covers: four people, three services, a page every few hours on a "
            "typical shift. Responders are used to triaging quickly, and a new page gets a quick look before the "
            "next one arrives.",
        ],
        "actions": [
            ("Split the {team} rotation so each shift covers at most two services", "process"),
        ],
    },
}

# Archetypes give each incident a shape: what people saw, what set it off, the core factors.
ARCHETYPES: list[dict[str, Any]] = [
    {
        "slug": "cert-expiry",
        "core": ["expiring-certificate"],
        "likely": ["monitoring-gap", "toil", "unclear-ownership", "remediation-backlog", "missing-access"],
        "titles": [
            "{Svc} rejected connections after a certificate expired",
            "Calls from {svc2} to {svc} failed after a certificate change",
        ],
        "trigger": "The TLS certificate used by {svc} reached its expiry date.",
        "symptom": "calls to {svc} failed their TLS handshake",
        "start": "Certificate on {svc} expires; handshakes from {svc2} start failing",
        "diagnose": "Handshake errors in the {svc2} logs point at the {svc} certificate",
        "mitigate": "New certificate installed on {svc}; connections recover",
    },
    {
        "slug": "config-rollout",
        "core": ["config-change"],
        "likely": ["no-fast-rollback", "alerting-gap", "knowledge-gap", "change-approval-delay", "deploy-pipeline"],
        "titles": [
            "{Svc} returned errors after a {setting} change",
            "Elevated errors in {svc} after a configuration rollout",
        ],
        "trigger": "A configuration change adjusted the {setting} of {svc}.",
        "symptom": "a share of requests to {svc} returned errors",
        "pre": "Configuration change to the {svc} {setting} rolls out",
        "start": "Error rate on {svc} rises above 5 %",
        "diagnose": "Error spike lines up with the {setting} change in the change log",
        "mitigate": "Previous {setting} value restored; error rate falls",
    },
    {
        "slug": "peak-saturation",
        "core": ["capacity-saturation"],
        "likely": ["production-pressure", "retry-storm", "single-point-of-failure", "alerting-gap", "on-call-load"],
        "titles": ["{Svc} slowed down under peak load", "Timeouts in {svc} during the evening peak"],
        "trigger": "Traffic to {svc} reached about {pct2} % of the previous year's peak.",
        "symptom": "{svc} responded slowly and some requests timed out",
        "start": "Latency of {svc} climbs past two seconds at the 99th percentile",
        "diagnose": "Connection pool of {svc} found at its limit",
        "mitigate": "Extra instances of {svc} added and the pool limit raised",
    },
    {
        "slug": "vendor-degradation",
        "core": ["third-party-dependency"],
        "likely": ["single-point-of-failure", "monitoring-gap", "retry-storm", "rate-limiting"],
        "titles": ["{Svc} degraded during a provider incident", "Slow {svc} responses while {vendor} was degraded"],
        "trigger": "{Vendor} started answering slowly and intermittently.",
        "symptom": "{svc} requests that depend on {vendor} slowed down or failed",
        "start": "Calls from {svc} to {vendor} start timing out",
        "diagnose": "Traces show {svc} threads waiting on {vendor}",
        "mitigate": "{Svc} switched to its degraded mode and shorter timeouts",
    },
    {
        "slug": "dns-change",
        "core": ["dns"],
        "likely": ["config-change", "change-approval-delay", "knowledge-gap", "detection-by-customers"],
        "titles": ["{Svc} unreachable for some users after a DNS change", "Name resolution failures for {svc}"],
        "trigger": "A planned DNS change pointed the {svc} name at a new load balancer.",
        "symptom": "some clients could not reach {svc}",
        "pre": "DNS record for {svc} updated as part of a planned move",
        "start": "Requests to {svc} from some regions start failing",
        "diagnose": "Resolvers found returning the new target, which lacks a route for {svc}",
        "mitigate": "DNS record reverted; resolvers pick up the previous answer",
    },
    {
        "slug": "migration-duplicates",
        "core": ["data-migration"],
        "likely": ["software-defect", "detection-by-customers", "monitoring-gap", "production-pressure"],
        "titles": ["Duplicate records in {svc} after a backfill", "{Svc} data out of shape after a schema migration"],
        "trigger": "A data migration for {svc} started its production run.",
        "symptom": "{svc} showed duplicated or missing records",
        "pre": "Migration job for {svc} starts its production run",
        "start": "First duplicate rows written to {svc}",
        "diagnose": "Duplicate rows traced to retried migration batches",
        "mitigate": "Migration paused; duplicate rows quarantined",
    },
    {
        "slug": "retry-storm",
        "core": ["retry-storm"],
        "likely": ["internal-dependency", "capacity-saturation", "software-defect", "no-fast-rollback"],
        "titles": ["Retry storm kept {svc} overloaded", "{Svc} recovery delayed by client retries"],
        "trigger": "A short slowdown in {dep} made calls from {svc} time out.",
        "symptom": "{svc} stayed overloaded after the first slowdown passed",
        "start": "{Dep} slows down for about two minutes",
        "diagnose": "Request rate to {svc} found at twice normal, most of it retries",
        "mitigate": "Load shedding enabled at the gateway; {svc} recovers",
    },
    {
        "slug": "partial-deploy",
        "core": ["deploy-pipeline"],
        "likely": ["software-defect", "no-fast-rollback", "alerting-gap", "production-pressure"],
        "titles": [
            "{Svc} served mixed versions after a partial deploy",
            "Failed release of {svc} reported as complete",
        ],
        "trigger": "A release of {svc} began rolling out.",
        "symptom": "{svc} behaved inconsistently between requests",
        "pre": "Release of {svc} starts rolling out",
        "start": "Pipeline reports the {svc} release complete; a third of instances still on the old version",
        "diagnose": "Two versions of {svc} found serving traffic side by side",
        "mitigate": "Remaining instances of {svc} moved to one version",
    },
    {
        "slug": "clock-skew",
        "core": ["clock-time"],
        "likely": ["software-defect", "monitoring-gap", "knowledge-gap"],
        "titles": [
            "Sign-in tokens rejected because of clock drift in {svc}",
            "{Svc} jobs ran twice over a time change",
        ],
        "trigger": "Clocks on part of the {svc} fleet drifted from true time.",
        "symptom": "requests that depend on {svc} tokens were rejected intermittently",
        "start": "First token rejections logged by {svc2}",
        "diagnose": "Clock offset of several minutes found on one {svc} host pool",
        "mitigate": "Time sync restarted on the affected pool; offsets return to zero",
    },
    {
        "slug": "silent-stop",
        "core": ["monitoring-gap"],
        "likely": ["alert-fatigue", "unclear-ownership", "detection-by-customers", "toil", "software-defect"],
        "titles": ["{Svc} stopped producing data without an alert", "Stale {svc} data went unnoticed"],
        "trigger": "A nightly job of {svc} stopped after an authentication error.",
        "symptom": "{svc} kept serving data that had stopped updating",
        "start": "Nightly {svc} job fails; no new data is written",
        "diagnose": "Job history of {svc} shows every run failing since the start",
        "mitigate": "Job credentials renewed; {svc} job runs successfully",
    },
    {
        "slug": "rate-limited",
        "core": ["rate-limiting"],
        "likely": ["third-party-dependency", "monitoring-gap", "config-change"],
        "titles": ["{Svc} requests throttled by a quota", "Legitimate traffic to {svc} rate-limited"],
        "trigger": "Traffic through {svc} crossed a quota threshold.",
        "symptom": "part of the traffic to {svc} was refused with 429 responses",
        "start": "Share of 429 responses from {svc} starts to rise",
        "diagnose": "Throttling traced to the quota on {vendor}",
        "mitigate": "Quota raised; 429 responses stop",
    },
    {
        "slug": "dependency-outage",
        "core": ["internal-dependency"],
        "likely": [
            "mitigation-needs-other-team",
            "handoff-ticket-queue",
            "missing-access",
            "incident-coordination",
            "single-point-of-failure",
        ],
        "titles": ["{Svc} unavailable while {dep} was degraded", "{Dep} slowdown spread to {svc}"],
        "trigger": "{Dep} became slow after a routine restart.",
        "symptom": "{svc} could not complete requests that depend on {dep}",
        "start": "{Dep} latency rises after a routine restart",
        "diagnose": "Traces show {svc} requests waiting on {dep}",
        "mitigate": "{Dep} restored by the {team2} team; {svc} recovers",
    },
    {
        "slug": "disk-full",
        "core": ["capacity-saturation", "toil"],
        "likely": ["alerting-gap", "single-point-of-failure", "remediation-backlog"],
        "titles": ["{Svc} went read-only when its disk filled", "{Svc} writes stopped on a full volume"],
        "trigger": "Log growth on {svc} filled its data volume.",
        "symptom": "{svc} stopped accepting writes",
        "start": "Data volume on {svc} reaches 100 %",
        "diagnose": "Full volume found on the {svc} primary",
        "mitigate": "Volume expanded and old logs moved to object storage",
    },
    {
        "slug": "flag-flip",
        "core": ["config-change"],
        "likely": ["knowledge-gap", "incident-coordination", "detection-by-customers", "software-defect"],
        "titles": ["Feature flag change broke {svc} for some customers", "{Svc} misbehaved after a flag rollout"],
        "trigger": "A feature flag for {svc} was turned on for all customers.",
        "symptom": "a share of customers saw broken {svc} pages",
        "pre": "Feature flag for {svc} switched on for all customers",
        "start": "First errors from the new {svc} code path",
        "diagnose": "Errors traced to the code path behind the new flag",
        "mitigate": "Flag switched off; {svc} pages render again",
    },
]

DETECT_ALERT = [
    "Alert for {svc} error rate pages the {team} on-call",
    "Latency alert for {svc} pages {oncall} ({team} on-call)",
    "Synthetic check for {svc} fails and pages the {team} on-call",
]
DETECT_HUMAN = [
    "Support reports a rise in contacts about {svc}",
    "A colleague in {team2} asks in the help channel why {svc} looks wrong",
    "Customer reports reach the support queue; support escalates to the {team} on-call",
]
RESPONSE_EVENTS = [
    "{oncall} opens an incident channel and takes the incident commander role",
    "{helper} joins and starts looking at recent changes to {svc}",
    "Status page updated: investigating degraded {svc}",
    "{oncall} checks the {svc} dashboards; errors concentrated in one zone",
    "{helper} confirms {dep} is healthy and rules it out",
    "Customer support briefed with a holding message",
]
FACTOR_EVENTS = {
    "mitigation-needs-other-team": "Restart requires the {team2} team; {oncall} asks for help in their channel",
    "handoff-ticket-queue": "Ticket raised in the {team2} queue, as the runbook describes",
    "missing-access": "Restart refused: the on-call role has read access only",
    "change-approval-delay": "Emergency change request raised for the mitigation",
    "knowledge-gap": "Runbook found to describe an older design; {helper} joins to help",
    "incident-coordination": "Second incident channel discovered; the two are merged",
    "no-fast-rollback": "Rollback ruled out because of the schema change; fix forward started",
    "on-call-load": "{oncall} hands the other open incident to the secondary",
}
RECOVERY_EVENTS = [
    "Error rate for {svc} back to its usual level; monitoring continues",
    "Backlog of queued work draining at full rate",
    "Status page updated: monitoring the recovery",
]
RESOLVE_EVENTS = [
    "Metrics normal for an hour; incident resolved",
    "Backlog cleared and checks passing; incident resolved",
    "All customer-facing checks green; incident closed",
]

WELL = [
    "{oncall} acknowledged the page within minutes and kept the incident channel updated.",
    "{helper} recognised the pattern from an earlier incident, which shortened diagnosis.",
    "The status page was updated early, so support could point customers to it.",
    "Dashboards for {svc} showed the change in behaviour clearly once someone looked.",
    "{oncall} took the incident commander role and kept decisions in one place.",
    "{helper} wrote down each step in the channel, which made this timeline easy to build.",
    "The degraded mode in {svc2} worked as designed and kept the most important pages up.",
    "Customer support had a holding message out within a quarter of an hour.",
]
LUCKY = [
    "The incident started outside the busiest hours; at peak the impact would have been several times larger.",
    "The queue had enough disk for several more hours of messages, so nothing was lost.",
    "{helper} happened to be online and knew {dep} well.",
    "A planned marketing email was scheduled for the next morning, not that evening.",
    "Only one region was affected because the change had not yet reached the others.",
    "It could have been much worse: the batch jobs that share {svc} were paused for maintenance that day.",
]
ACTIONS_WHY = [
    "We chose changes that let the system catch this class of problem, rather than relying on someone noticing. "
    "{kinds}",
    "The actions aim at the conditions, not the trigger: the trigger will happen again in another form. {kinds}",
    "We looked for changes that shorten detection and restoration as much as ones that prevent a repeat. {kinds}",
]
KIND_WHY = {
    "detect": "The detection work means a repeat shows up on a dashboard and a page within minutes.",
    "mitigate": "The mitigation work puts the fix in the hands of the team that understands the service.",
    "prevent": "The prevention work removes the latent condition itself.",
    "process": "The process change removes a waiting step that added time without adding safety.",
}
NO_ACTIONS_WHY = [
    "No new actions. The conditions behind this incident are already covered by open work from an earlier "
    "postmortem, which this one links to; we raised its priority instead of opening duplicates.",
    "No new actions: the affected component of {svc} is being retired next month, and the replacement already "
    "handles this case. The team confirmed the retirement date in planning.",
]
LESSONS = [
    "Time to restore depends on who can act as much as on who understands the problem.",
    "A system that quietly stops doing its work produces no errors; volume and freshness need their own signals.",
    "Changes outside the release process carry the same risk as code, with fewer safety nets.",
    "Knowledge that lives in one person's head or calendar leaves with them when they change teams.",
    "Retries are load: without backoff and a budget they turn a short problem into a long one.",
    "Alerts need an owner and a volume people can act on; a signal everyone ignores is worse than none.",
    "Dependencies we do not own still need a plan for when they misbehave.",
    "There was no single root cause: the trigger was ordinary, and it met several conditions that had been in place "
    "for months.",
]
IMPACT_CUSTOMER = [
    "About {pct} % of {svc} requests failed for {dur}. Roughly {customers} customers saw an error at least once, and "
    "support handled {contacts} extra contacts.",
    "For {dur}, {svc} responses were slow enough that about {customers} customers gave up before completing their "
    "task. No data was lost.",
    "Around {orders} orders were delayed by up to {dur}; all were completed once service was restored. Support "
    "handled {contacts} extra contacts.",
]
IMPACT_INTERNAL = [
    "No customer-facing system was affected. The {team2} team could not rely on {svc} for {dur}, and two planned "
    "releases were postponed to the next day.",
    "The impact was internal: reports built from {svc} were out of date for {dur}, and the {team2} team made one "
    "weekly decision on incomplete figures.",
    "Engineers using {svc} were blocked for {dur}; about {n} builds and deploys waited in the queue and ran once it "
    "recovered.",
]


# --------------------------------------------------------------------------------------


@dataclass
class Incident:
    id: str
    year: int
    text: str
    services: list[str]


def _q(value: str) -> str:
    """A YAML scalar: plain when safe, JSON (a valid YAML double-quoted scalar) otherwise."""
    if (
        re.match(r"^[A-Za-z0-9(][^\n]*$", value)
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and value == value.strip()
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(template: str, ctx: dict[str, str]) -> str:
    return _cap(template.format(**ctx))


def _duration(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    if minutes < 90:
        return f"{max(1, round(minutes))} minutes"
    hours = minutes / 60
    if hours < 48:
        return f"about {round(hours)} hours"
    return f"{round(hours / 24)} days"


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs], k=1)[0]


def _hhmm(t: datetime) -> str:
    return t.strftime("%H:%M")


def _timeline(rows: list[tuple[datetime, str]], started: datetime, bullets: bool) -> list[str]:
    """Rows earliest first; a date on every row whose day differs from the row before."""
    out = [] if bullets else ["| Time  | Event |", "|-------|-------|"]
    tz = started.tzinfo
    previous_day = started.astimezone(tz).date()
    for when, event in rows:
        local = when.astimezone(tz)
        stamp = _hhmm(local) if local.date() == previous_day else f"{local.date().isoformat()} {_hhmm(local)}"
        previous_day = local.date()
        out.append(f"- {stamp} {event}" if bullets else f"| {stamp} | {event} |")
    return out


def _taxonomy_ids(path: Path) -> list[str]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
    return [str(f["id"]) for f in data.get("factors") or [] if isinstance(f, dict) and "id" in f]


class _Generator:
    def __init__(self, seed: int, factor_ids: list[str]) -> None:
        self.rng = random.Random(seed)
        self.factor_ids = factor_ids
        known = set(factor_ids)
        self.weighted = [(f, FACTOR_WEIGHTS.get(f, 1)) for f in factor_ids]
        self.archetypes = [a for a in ARCHETYPES if all(c in known for c in a["core"])] or [
            {**ARCHETYPES[1], "core": [factor_ids[0]], "likely": []}
        ]
        self.ids: set[str] = set()
        self.by_service: dict[str, list[str]] = {}
        self.all_ids: list[str] = []

    # -- one incident -----------------------------------------------------------------
    def incident(self, started_utc: datetime) -> Incident:
        rng = self.rng
        arch = rng.choice(self.archetypes)
        tz = _weighted(rng, TIMEZONES)
        started = started_utc.astimezone(tz).replace(second=0, microsecond=0)
        svc = rng.choice(SERVICES)
        svc2 = rng.choice([s for s in SERVICES if s != svc])
        dep = rng.choice([s for s in SERVICES if s not in (svc, svc2)])
        team = TEAMS[svc]
        team2 = rng.choice([t for t in ALL_TEAMS if t != team])
        vendor = rng.choice(VENDORS)
        oncall, helper, *others = rng.sample(PEOPLE, 6)

        severity = _weighted(rng, [("SEV1", 5), ("SEV2", 20), ("SEV3", 40), ("SEV4", 35)])
        customer_impact = {"SEV1": True, "SEV2": True, "SEV3": rng.random() < 0.6, "SEV4": rng.random() < 0.15}[
            severity
        ]
        template = "lightweight" if severity == "SEV4" and not customer_impact and rng.random() < 0.3 else "standard"
        status = _weighted(rng, [("published", 85), ("in-review", 10), ("draft", 5)])
        if status == "draft" and (TODAY - started.date()).days > 1:
            status = "in-review"  # a draft past its filing deadline is a finding (late-postmortem)

        # Event times: started ≤ detected ≤ mitigated ≤ resolved ≤ filed.
        silent = arch["slug"] == "silent-stop" or rng.random() < 0.06
        detect_min = rng.randint(6 * 60, 5 * 24 * 60) if silent else int(rng.triangular(1, 120, 8))
        detected = started + timedelta(minutes=detect_min)
        mitigated = detected + timedelta(minutes=int(rng.triangular(8, 360, 45)))
        resolved = mitigated + timedelta(minutes=int(rng.triangular(5, 720, 40)))
        has_mitigated = rng.random() < 0.9
        filed_dt = resolved + timedelta(minutes=rng.randint(60, 23 * 60))

        # Contributing factors: the archetype's core, some likely ones, some from anywhere.
        n_factors = _weighted(rng, [(2, 30), (3, 35), (4, 25), (5, 10)])
        factors: list[str] = list(dict.fromkeys(arch["core"]))
        likely = [f for f in arch["likely"] if f in set(self.factor_ids) and f not in factors]
        rng.shuffle(likely)
        while len(factors) < n_factors and likely and rng.random() < 0.75:
            factors.append(likely.pop())
        while len(factors) < n_factors:
            f = _weighted(rng, self.weighted)
            if f not in factors:
                factors.append(f)

        ctx = {
            "svc": svc,
            "Svc": _cap(svc),
            "svc2": svc2,
            "dep": dep,
            "Dep": _cap(dep),
            "team": team,
            "Team": _cap(team),
            "team2": team2,
            "Team2": _cap(team2),
            "vendor": vendor,
            "Vendor": _cap(vendor),
            "setting": rng.choice(SETTINGS),
            "oncall": oncall,
            "helper": helper,
            "n": str(rng.randint(12, 60)),
            "pct": str(rng.randint(3, 40)),
            "pct2": str(rng.randint(110, 180)),
            "pool": str(rng.choice([20, 32, 50, 64, 100])),
            "timeout": str(rng.choice([2, 5, 10, 30])),
            "mins": str(rng.randint(15, 70)),
            "customers": f"{rng.randint(2, 300) * 100:,}",
            "contacts": str(rng.randint(40, 900)),
            "orders": f"{rng.randint(1, 90) * 100:,}",
            "dur": _duration((mitigated if has_mitigated else resolved) - started),
        }

        title = _fill(rng.choice(arch["titles"]), ctx)
        slug = f"{svc}-{arch['slug']}"
        pid = f"{started.date().isoformat()}-{slug}"
        k = 2
        while pid in self.ids:
            pid = f"{started.date().isoformat()}-{slug}-{k}"
            k += 1

        # Actions: drawn from the factors' pools; open ones are due far in the future.
        candidates: list[tuple[str, str]] = []
        for f in factors:
            for summary, kind in FACTOR_TEXT.get(f, {}).get("actions", []):
                candidates.append((summary.format(**ctx), kind))
        rng.shuffle(candidates)
        n_actions = _weighted(rng, [(0, 6), (1, 18), (2, 30), (3, 28), (4, 18)])
        actions = []
        for summary, kind in candidates[:n_actions]:
            st = _weighted(rng, [("done", 55), ("in-progress", 12), ("open", 20), ("wont-do", 13)])
            if st in ("open", "in-progress"):
                due = date(rng.randint(2031, 2033), rng.randint(1, 12), rng.randint(1, 28))
            else:
                due = resolved.date() + timedelta(days=rng.randint(7, 120))
            owner = (
                rng.choice([oncall, helper, *others])
                if rng.random() < 0.9
                else f"{_cap(rng.choice([team, team2]))} team"
            )
            tracker = f"https://tracker.example.com/{team[:3].upper()}-{rng.randint(100, 9999)}"
            actions.append(
                {"summary": summary, "owner": owner, "due": due, "status": st, "tracker": tracker, "kind": kind}
            )

        related: list[str] = []
        n_related = _weighted(rng, [(0, 40), (1, 35), (2, 20), (3, 5)])
        pool = self.by_service.get(svc, [])
        for _ in range(n_related):
            source = pool if pool and rng.random() < 0.6 else self.all_ids
            if source:
                ref = rng.choice(source[-200:])
                if ref not in related:
                    related.append(ref)

        # ---- front matter --------------------------------------------------------------
        services = [svc] + ([svc2] if rng.random() < 0.5 else [])
        teams = list(dict.fromkeys([team, TEAMS[svc2]] if len(services) > 1 else [team]))
        authors = [oncall] + ([helper] if rng.random() < 0.6 else [])
        fm = [
            "---",
            f"id: {pid}",
            f"title: {_q(title)}",
            f"status: {status}",
            # `template:` is optional (default standard): only the lightweight ones say it,
            # so that a stock Material build reads the same files (see plain_config).
            *([f"template: {template}"] if template != "standard" else []),
            f"severity: {severity}",
            f"services: [{', '.join(services)}]",
            f"teams: [{', '.join(teams)}]",
            f"authors: [{', '.join(authors)}]",
            f"started: {started.isoformat()}",
            f"detected: {detected.isoformat()}",
        ]
        if has_mitigated:
            fm.append(f"mitigated: {mitigated.isoformat()}")
        fm.append(f"resolved: {resolved.isoformat()}")
        if rng.random() < 0.3:
            fm.append(f"filed: {resolved.date() + timedelta(days=1)}")
        else:
            fm.append(f"filed: {filed_dt.isoformat()}")
        fm.append(f"customer_impact: {'true' if customer_impact else 'false'}")
        if customer_impact:
            if rng.random() < 0.5:
                fm.append(f"public_postmortem: {resolved.date() + timedelta(days=rng.randint(1, 2))}")
            else:
                fm.append(f"public_postmortem: https://status.example.com/incidents/{pid}")
        fm.append(f"trigger: {_q(_fill(arch['trigger'], ctx))}")
        fm.append("contributing_factors:")
        descriptions: dict[str, str] = {}
        for i, f in enumerate(factors):
            pool_desc = FACTOR_TEXT.get(f, {}).get("desc") or [
                f"This incident showed the {f.replace('-', ' ')} pattern in {{svc}}."
            ]
            descriptions[f] = _fill(rng.choice(pool_desc), ctx)
            fm.append(f"  - factor: {f}")
            fm.append(f"    description: {_q(descriptions[f])}")
            if i > 0 and rng.random() < 0.2:
                fm.append(f"    enabled_by: [{rng.choice(factors[:i])}]")
        if actions:
            fm.append("actions:")
            for a in actions:
                fm += [
                    f"  - summary: {_q(a['summary'])}",
                    f"    owner: {_q(a['owner'])}",
                    f"    due: {a['due'].isoformat()}",
                    f"    status: {a['status']}",
                    f"    tracker: {a['tracker']}",
                    f"    kind: {a['kind']}",
                ]
        else:
            fm.append("actions: []")
        if related:
            fm.append(f"related: [{', '.join(related)}]")
        fm.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 4)))}]")
        fm.append("---")

        # ---- body ----------------------------------------------------------------------
        end = mitigated if has_mitigated else resolved
        body: list[str] = ["", "## Summary", ""]
        tzname = (
            "UTC"
            if started.utcoffset() == timedelta(0)
            else f"UTC{started.strftime('%z')[:3]}:{started.strftime('%z')[3:]}"
        )
        summary = (
            f"From {_hhmm(started)} {tzname} on {started.strftime('%d %B %Y').lstrip('0')}, "
            f"{arch['symptom'].format(**ctx)}. {_fill(arch['trigger'], ctx)} "
            f"It was detected after {_duration(detected - started)} and service was restored after {ctx['dur']}."
        )
        body += [summary, ""]
        if rng.random() < 0.5:
            body += [
                f"The conditions that turned this into an incident are described under contributing factors; "
                f"the [{svc} runbook](https://wiki.example.com/runbooks/{svc}) has since been updated.",
                "",
            ]
        if template == "standard":
            body += ["## Impact", ""]
            impact = rng.choice(IMPACT_CUSTOMER if customer_impact else IMPACT_INTERNAL)
            body += [_fill(impact, ctx), ""]

        # Timeline
        rows: list[tuple[datetime, str]] = []
        if "pre" in arch:
            rows.append((started - timedelta(minutes=rng.randint(1, 20)), _fill(arch["pre"], ctx)))
        rows.append((started, _fill(arch["start"], ctx)))
        human = "detection-by-customers" in factors or silent
        rows.append((detected, _fill(rng.choice(DETECT_HUMAN if human else DETECT_ALERT), ctx)))
        middle = [_fill(FACTOR_EVENTS[f], ctx) for f in factors if f in FACTOR_EVENTS]
        middle += [_fill(e, ctx) for e in rng.sample(RESPONSE_EVENTS, rng.randint(1, 3))]
        middle.insert(rng.randint(0, len(middle)), _fill(arch["diagnose"], ctx))
        span = (end - detected).total_seconds()
        offsets = sorted(rng.uniform(0.05, 0.95) * span for _ in middle)
        rows += [(detected + timedelta(seconds=o), e) for o, e in zip(offsets, middle, strict=True)]
        rows.append((end, _fill(arch["mitigate"], ctx)))
        if end < resolved:
            span2 = (resolved - end).total_seconds()
            for o in sorted(rng.uniform(0.1, 0.9) * span2 for _ in range(rng.randint(0, 2))):
                rows.append((end + timedelta(seconds=o), _fill(rng.choice(RECOVERY_EVENTS), ctx)))
        rows.append((resolved, _fill(rng.choice(RESOLVE_EVENTS), ctx)))
        body += ["## Timeline", ""]
        body += _timeline(rows, started, bullets=template == "lightweight" and rng.random() < 0.5)
        body.append("")

        # Contributing factors
        body += ["## Contributing factors", ""]
        body += [
            f"The trigger was ordinary: {_fill(arch['trigger'], ctx)[:1].lower()}{_fill(arch['trigger'], ctx)[1:]} "
            f"It met {len(factors)} conditions that had been in place for some time.",
            "",
        ]
        for f in factors:
            paras = FACTOR_TEXT.get(f, {}).get("para")
            body += [_fill(rng.choice(paras), ctx) if paras else descriptions[f], ""]
        if rng.random() < 0.15:
            body += [
                "The health check failed to fire because it probed only the load balancer, which stayed up throughout.",
                "",
            ]
        if rng.random() < 0.2:
            body += ["> 14:02:11 ERROR upstream request timeout after 5000 ms (retry 3 of 5)", ""]

        if template == "standard":
            body += ["## What went well", ""]
            body += [f"- {_fill(w, ctx)}" for w in rng.sample(WELL, rng.randint(2, 4))]
            body += ["", "## Where we got lucky", "", _fill(rng.choice(LUCKY), ctx), ""]

        body += ["## Action items", ""]
        if actions:
            kinds = " ".join(KIND_WHY[k] for k in dict.fromkeys(a["kind"] for a in actions))
            body += [_fill(rng.choice(ACTIONS_WHY), {**ctx, "kinds": kinds}), ""]
        else:
            body += [_fill(rng.choice(NO_ACTIONS_WHY), ctx), ""]

        if template == "standard":
            body += ["## Lessons learned", ""]
            body += [" ".join(rng.sample(LESSONS, rng.randint(1, 3))), ""]

        text = "\n".join(fm + body).rstrip("\n") + "\n"
        self.ids.add(pid)
        self.all_ids.append(pid)
        self.by_service.setdefault(svc, []).append(pid)
        return Incident(id=pid, year=started.year, text=text, services=services)


def _copy_tree(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", ".*"))


def generate(dest: Path, n: int, seed: int = 1) -> Path:
    """Write a knowledge base with `n` generated postmortems into `dest`; return `dest`."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    for folder in ("templates", "ops-playbook"):
        _copy_tree(ROOT / folder, dest / folder)
    (dest / "templates" / "site").mkdir(parents=True, exist_ok=True)  # the theme's custom_dir
    docs = dest / "postmortems"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir()
    shutil.copy2(ROOT / "postmortems" / "factors.yml", docs / "factors.yml")
    # Self-hosted front-end libraries, linked (not copied) in case the site build wants them.
    modules = ROOT / "node_modules"
    if modules.is_dir() and not (dest / "node_modules").exists():
        (dest / "node_modules").symlink_to(modules, target_is_directory=True)

    gen = _Generator(seed, _taxonomy_ids(docs / "factors.yml"))
    span = (LAST_DAY - FIRST_DAY).total_seconds()
    starts = sorted(FIRST_DAY + timedelta(seconds=gen.rng.uniform(0, span)) for _ in range(n))
    years: set[int] = set()
    for started in starts:
        inc = gen.incident(started)
        folder = docs / str(inc.year)
        if inc.year not in years:
            folder.mkdir(exist_ok=True)
            years.add(inc.year)
        (folder / f"{inc.id}.md").write_text(inc.text, encoding="utf-8")
    plain_config(dest)
    return dest


def _filter_nav(items: Any, docs: Path) -> Any:
    """Keep nav entries whose page exists in docs (or that are URLs); drop emptied sections."""
    out = []
    for item in items or []:
        if isinstance(item, str):
            if "://" in item or (docs / item).is_file():
                out.append(item)
        elif isinstance(item, dict):
            kept = {}
            for title, target in item.items():
                if isinstance(target, str):
                    if "://" in target or (docs / target).is_file():
                        kept[title] = target
                else:
                    children = _filter_nav(target, docs)
                    if children:
                        kept[title] = children
            if kept:
                out.append(kept)
    return out


def plain_config(dest: Path) -> Path:
    """Write dest/mkdocs-plain.yml: stock Material over the same Markdown, no plugin.

    Stock means no `custom_dir` and no shims: the theme as installed, with the site's
    features, palettes and Markdown extensions. MkDocs reads a page's `template:` as its
    Jinja template, so the few postmortems that name one (`template: lightweight`) are
    read from a mirror of the docs folder without that line; every other file of the
    mirror is a hard link to the original (the same bytes, no copy)."""
    dest = Path(dest)
    src = read_mkdocs_yml(dest / "mkdocs.yml") or {}
    docs_dir = str(src.get("docs_dir", "docs"))
    theme = {k: v for k, v in dict(src.get("theme") or {}).items() if k != "custom_dir"}
    theme["name"] = "material"
    theme["font"] = False
    shutil.rmtree(dest / "plain-overrides", ignore_errors=True)  # the old baseline's shims
    nav = _filter_nav(src.get("nav"), dest / docs_dir)
    if not nav:
        # Every page of the real nav is generated by the plugin. An empty nav would make
        # MkDocs list all N postmortems in every page (O(N²)), so keep one constant entry.
        nav = [{"Home": "/"}]
    plain = {
        "site_name": f"{src.get('site_name', 'Postmortem knowledge base')} (plain)",
        "docs_dir": _plain_docs(dest / docs_dir, dest / PLAIN_DOCS).name,
        "site_dir": "site-plain",
        "use_directory_urls": src.get("use_directory_urls", True),
        "strict": False,
        "theme": theme,
        "markdown_extensions": src.get("markdown_extensions") or [],
        "plugins": ["search"],
        "nav": nav,
    }
    out = dest / "mkdocs-plain.yml"
    header = "# Baseline for the benchmarks: stock Material over the same Markdown, without the postmortem-kb plugin.\n"
    out.write_text(header + yaml.safe_dump(plain, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out


PLAIN_DOCS = "plain-docs"
_TEMPLATE_LINE = re.compile(rb"^template:[^\n]*\n", re.M)


def _plain_docs(docs: Path, mirror: Path) -> Path:
    """A mirror of `docs` for the stock build: hard links, except the Markdown files whose
    front matter names a `template:` (rewritten without that line)."""
    shutil.rmtree(mirror, ignore_errors=True)
    for path in sorted(docs.rglob("*")):
        target = mirror / path.relative_to(docs)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes() if path.suffix == ".md" else b""
        head, sep, rest = data.partition(b"\n---")
        if data.startswith(b"---") and _TEMPLATE_LINE.search(head):
            target.write_bytes(_TEMPLATE_LINE.sub(b"", head, count=1) + sep + rest)
            continue
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
    return mirror


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate a synthetic postmortem knowledge base.")
    p.add_argument("dest", type=Path)
    p.add_argument("n", type=int)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    if args.n < 0:
        p.error("N must be ≥ 0")
    generate(args.dest, args.n, args.seed)
    print(f"{args.n} postmortems in {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
