"""Many models at once: `query_many` (parallel queries with per-member results), `consensus` and
`judge_consensus` (agreement among answers), `ABTest` (split traffic between two routes and report with confidence
intervals) and `compare` (answers side by side). Loaded only when imported (never by `import knollm`).

The guide is the site's "Comparing models" page.
"""

from .ab import ABReport, ABTest, ArmReport, Outcome
from .compare import CompareRow, Comparison, compare, similarity
from .consensus import Consensus, JudgeError, ajudge_consensus, consensus, judge_consensus, normalise_answer
from .query import MemberResult, MultiResult, aquery_many, query_many
from .stats import Interval, wilson

__all__ = ["ABReport", "ABTest", "ArmReport", "CompareRow", "Comparison", "Consensus", "Interval", "JudgeError",
           "MemberResult", "MultiResult", "Outcome", "ajudge_consensus", "aquery_many", "compare", "consensus",
           "judge_consensus", "normalise_answer", "query_many", "similarity", "wilson"]
