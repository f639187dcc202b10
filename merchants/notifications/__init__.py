"""Notifications people read: every app tells users about its events through one door.

- ``kinds``: the table of kinds, each a translatable sentence with named parameters, rendered in
  the reader's language when it is read (never stored as text);
- ``models``: the stored notification (recipient, kind, parameters, subject), part of the
  merchants app's models;
- ``services``: ``notify`` (the one way a notification is made, with its e-mail), mark read,
  mark all read, and the usual recipients (a merchant's owners, a base's managers);
- ``selectors``: the reader's inbox and unread count, always the reader's own;
- ``views``, ``api``: the inbox page (``/notifications/``) and ``/api/v1/notifications/``.

It lives under merchants, the root domain, so livestreams and training can both call it.
"""
