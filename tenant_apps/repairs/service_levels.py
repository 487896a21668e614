"""The service levels (时限) a repair request runs on, counted on the school's calendar and in its
working hours.

An emergency runs on the clock: dispatched within 30 minutes, accepted within 10 minutes of
being assigned, attended within 2 hours and finished within 24 hours of being reported. A general
request runs in working time: dispatched within 30 working minutes, accepted within 10 working
minutes of being assigned, attended by the same time on the next working day and finished by the
same time three working days on. A working day is a weekday that is not one of the school's
holidays, or a weekend day the calendar makes a working day (调休上班); working minutes are
those between the school's hours on working days.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from tenant_apps.canteen.selectors import Calendar, calendar_read

EMERGENCY = "emergency"
DISPATCH_MINUTES = 30
ACCEPT_MINUTES = 10
EMERGENCY_RESPOND = timedelta(hours=2)
EMERGENCY_FINISH = timedelta(hours=24)
GENERAL_RESPOND_DAYS = 1
GENERAL_FINISH_DAYS = 3
# How far ahead the calendar is read: enough working days past the longest holiday.
_HORIZON_DAYS = 60


@dataclass(frozen=True)
class WorkingTime:
    """The school's working days (from its calendar) and hours."""

    calendar: Calendar
    opens: time
    closes: time

    def is_working_day(self, day: date) -> bool:
        if day in self.calendar.make_up_days:
            return True
        return day.isoweekday() <= 5 and day not in self.calendar.holidays

    def _at(self, day: date, moment: time) -> datetime:
        return timezone.make_aware(datetime.combine(day, moment))

    def next_working_moment(self, start: datetime) -> datetime:
        """`start` if it falls in working hours, else when working hours next begin."""
        local = timezone.localtime(start)
        day = local.date()
        if self.is_working_day(day) and self.opens <= local.time() < self.closes:
            return local
        if self.is_working_day(day) and local.time() < self.opens:
            return self._at(day, self.opens)
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return self._at(day, self.opens)

    def add_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment `minutes` working minutes after `start`."""
        moment = self.next_working_moment(start)
        left = timedelta(minutes=minutes)
        while True:
            closing = self._at(timezone.localtime(moment).date(), self.closes)
            if moment + left <= closing:
                return moment + left
            left -= closing - moment
            moment = self.next_working_moment(closing)

    def add_days(self, start: datetime, days: int) -> datetime:
        """The same time of day `days` working days after `start` (from the next working moment
        when `start` falls outside working hours)."""
        moment = self.next_working_moment(start)
        local = timezone.localtime(moment)
        day = local.date()
        for _day in range(days):
            day += timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
        return self._at(day, local.time())


def working_time(start: date, *, opens: time, closes: time) -> WorkingTime:
    """The school's working time from `start` over the next weeks (two queries)."""
    return WorkingTime(
        calendar=calendar_read(start, start + timedelta(days=_HORIZON_DAYS)),
        opens=opens,
        closes=closes,
    )


@dataclass(frozen=True)
class Deadlines:
    dispatch: datetime
    respond: datetime
    finish: datetime


def deadlines(reported: datetime, urgency: str, work: WorkingTime) -> Deadlines:
    """By when a request reported at `reported` is dispatched, attended and finished."""
    if urgency == EMERGENCY:
        return Deadlines(
            dispatch=reported + timedelta(minutes=DISPATCH_MINUTES),
            respond=reported + EMERGENCY_RESPOND,
            finish=reported + EMERGENCY_FINISH,
        )
    return Deadlines(
        dispatch=work.add_minutes(reported, DISPATCH_MINUTES),
        respond=work.add_days(reported, GENERAL_RESPOND_DAYS),
        finish=work.add_days(reported, GENERAL_FINISH_DAYS),
    )


def accept_deadline(assigned: datetime, urgency: str, work: WorkingTime) -> datetime:
    """By when a request assigned at `assigned` is accepted by its team."""
    if urgency == EMERGENCY:
        return assigned + timedelta(minutes=ACCEPT_MINUTES)
    return work.add_minutes(assigned, ACCEPT_MINUTES)
