"""Every write of the live-streams domain, one module per concern; one transaction each,
keyword-only arguments, the caller's ``reach`` as a parameter and the permission check inside.

- ``rooms``: the base's booking rules (``StreamSettings``) and its live rooms.
- ``booking_rules``: what a stream plan must satisfy before it is booked: its times, the
  merchant's standing, its own team, the room's opening hours, the room-hour quota, the host's
  training.
- ``booking``: a room, a host and every crew member are never double-booked: the clash
  queries, the crew bookings and the guarded save (the exclusion constraints in
  ``livestreams.models`` are the final guard).
- ``streams``: a stream's lifecycle: schedule, change, cancel, go live, end, results.
- ``runsheet``: the featured products of a stream, in run-sheet order.
- ``series``: recurring schedules, booked, changed or cancelled from a date on.
- ``notifications``: late and missed streams, reminders, the stored notifications.

Callers import the module they need (``from livestreams.services import streams``); nothing is
re-exported here.
"""
