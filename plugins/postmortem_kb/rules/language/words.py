"""The grammar's word lists (language.yml `grammar`): pronouns, roles, determiners and
the like, lower-case, that tell a person from a thing and a claim from talk about one."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class Words:
    """The grammar's word lists (language.yml `grammar`), lower-case."""

    people: frozenset[str]  # pronouns that make a subject a person
    unsure: frozenset[str]  # pronouns that may be people or things ("they")
    roles: frozenset[str]  # nouns for people and teams
    action_nouns: frozenset[str]
    judgement_nouns: frozenset[str]
    not_gerunds: frozenset[str]
    gerund_followers: frozenset[str]  # what may follow a gerund that is an act ("rolling back")
    determiners: frozenset[str]
    prepositions: frozenset[str]
    adverbs: frozenset[str]
    clause_words: frozenset[str]  # words that start a new clause (its subject follows)
    scope_words: frozenset[str]  # words that end a negation's reach
    negation: frozenset[str]
    meta: re.Pattern[str] | None  # phrases that make a sentence talk about wording
    requests: frozenset[str]  # "asking (people to be careful)"
    request_leads: frozenset[str]
    request_verbs: frozenset[str]  # "(actions that) ask (people to try harder)"
    relatives: frozenset[str]
    reporting: frozenset[str]  # verbs that report someone else's claim
    first_person: frozenset[str]
    objects_negated: frozenset[str]  # "forgot nothing"
    automatic: frozenset[str]  # words that make a passive's agent a system
    human_verbs: frozenset[str]  # participles whose implied agent is a person ("rushed")
    systems: frozenset[str]  # capitalised names of systems and products, not people ("Kafka")

    @classmethod
    def of(cls, data: dict[str, list]) -> Words:
        def get(key: str) -> frozenset[str]:
            return frozenset(str(w).lower() for w in data.get(key, []))

        return cls(
            people=get("people"),
            unsure=get("unsure"),
            roles=get("roles"),
            action_nouns=get("action_nouns"),
            judgement_nouns=get("judgement_nouns"),
            not_gerunds=get("not_gerunds"),
            gerund_followers=get("gerund_followers"),
            determiners=get("determiners"),
            prepositions=get("prepositions"),
            adverbs=get("adverbs"),
            clause_words=get("clause_words"),
            scope_words=get("scope_words"),
            negation=get("negation"),
            meta=re.compile(r"\b(?:" + "|".join(re.escape(m) for m in sorted(get("meta"))) + r")\b")
            if get("meta")
            else None,
            requests=get("requests"),
            request_leads=get("request_leads"),
            request_verbs=get("request_verbs"),
            relatives=get("relatives"),
            reporting=get("reporting"),
            first_person=get("first_person"),
            objects_negated=get("objects_negated"),
            automatic=get("automatic"),
            human_verbs=get("human_verbs"),
            systems=get("systems"),
        )
