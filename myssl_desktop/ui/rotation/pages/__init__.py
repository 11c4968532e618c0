"""The rotation wizard's pages, one step each: plan, create, update, verify, watch, done."""

from .create import CreatePage
from .deliver import DeliverPage, TargetRow
from .drain import DrainPage, plan_sentence
from .plan import PlanPage
from .summary import SummaryPage
from .verify import VerifyPage
from .widgets import StepHeader, key_line, tone

__all__ = ["CreatePage", "DeliverPage", "DrainPage", "PlanPage", "StepHeader", "SummaryPage", "TargetRow",
           "VerifyPage", "key_line", "plan_sentence", "tone"]
