"""The phrase-rule engine: applies language.yml (and the organisation's additions) to prose.

Speed: each rule names `keywords`, words without which none of its patterns can match.
The engine folds the text to lower-case words once (C-speed `translate` and `split`),
skips every rule none of whose keywords occur, and runs the patterns only in a window
around each keyword, so a 5 KB postmortem costs a set lookup per rule, not a regex
scan per pattern. Within a window, a pattern is left out of the regex when a literal
that every match of it contains ("human", "'s", "have") is not in the window: most
windows are around everyday words ("error", "could", "only") and need no regex at all.

People: `{person}` matches pronouns, roles, or a capitalised word that is one of the
postmortem's own people (authors, action owners, configured names); `{anyone}` accepts
any capitalised word as well, for verbs only people do ("forgot").

Grammar: a pattern may be a mapping with options that the engine checks on each match,
in the sentence around it (a bounded look, so a long text costs linear time): who the
clause's subject is (a person or team, a system or thing, an action such as "rolling
back earlier", nothing), who does a passive verb ("by the sync job", "automatically"),
whether the sentence's condition is about a system ("had the alert been routed…"), and
whether the match is quoted, negated or talked about ("we avoid calling this…"), or part
of a technical term ("careless-mode"); the word lists are language.yml's `grammar`.
Each option decides the finding's tier: `error` for a clear case, `warning` for a borderline one, or none.

Modules: `scanner` holds `LanguageRules`. Loading: `rule_file` reads, merges and checks
rule files, `build` makes them phrase rules. Scanning, in order: `keywords` folds a text
and finds the windows around keywords, `needs` rules out windows by the literals a
pattern needs, `compiled` caches the patterns' regexes, `grammar` judges a match with
`scope` (quoted, negated, talked about) and `subject` (who the clause is about) over the
`words` lists. `people` reads names; `phrase_rule` holds the data types.
"""

from .people import looks_like_a_person, name_tokens
from .rule_file import RULES_DIR as HERE
from .scanner import LanguageRules

# What other modules and tests import from `rules.language`; the rest is the package's own.
__all__ = ["HERE", "LanguageRules", "looks_like_a_person", "name_tokens"]
