"""Places in a cohort: capacity, the waitlist, promotion on drop, races on the last place."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from jingdezhen.core.errors import Conflict
from jingdezhen.core.tenancy import reach_for
from merchants.models import Milestone
from tests import factories
from training import services
from training.models import Certificate, Enrollment

from .helpers import attend, finish_cohort

E = Enrollment.Status


@pytest.fixture
def cohort(base, trainer):
    course = factories.CourseFactory(base=base)
    return factories.CohortFactory(course=course, trainer=trainer, capacity=2)


def _enrol(trainer, cohort, trainee):
    return services.enrollment_create(
        actor=reach_for(trainer), cohort_id=cohort.pk, trainee_id=trainee.pk
    )


def test_enrolments_beyond_capacity_go_to_the_waitlist(trainer, cohort, base):
    trainees = factories.TraineeFactory.create_batch(4, base=base)
    statuses = [_enrol(trainer, cohort, t).status for t in trainees]
    assert statuses == [E.ENROLLED, E.ENROLLED, E.WAITLISTED, E.WAITLISTED]


def test_a_dropped_place_promotes_the_first_waitlisted(trainer, cohort, base):
    a, b, c, d = factories.TraineeFactory.create_batch(4, base=base)
    first = _enrol(trainer, cohort, a)
    _enrol(trainer, cohort, b)
    head = _enrol(trainer, cohort, c)
    second = _enrol(trainer, cohort, d)
    services.enrollment_drop(actor=reach_for(trainer), enrollment_id=first.pk)
    head.refresh_from_db()
    second.refresh_from_db()
    assert head.status == E.ENROLLED
    assert second.status == E.WAITLISTED


def test_dropping_a_waitlisted_trainee_promotes_nobody(trainer, cohort, base):
    a, b, c = factories.TraineeFactory.create_batch(3, base=base)
    _enrol(trainer, cohort, a)
    _enrol(trainer, cohort, b)
    waiting = _enrol(trainer, cohort, c)
    services.enrollment_drop(actor=reach_for(trainer), enrollment_id=waiting.pk)
    assert cohort.enrollments.filter(status=E.ENROLLED).count() == 2


def test_raising_capacity_promotes_the_waitlist_in_order(trainer, cohort, base):
    trainees = factories.TraineeFactory.create_batch(4, base=base)
    rows = [_enrol(trainer, cohort, t) for t in trainees]
    services.cohort_set_capacity(actor=reach_for(trainer), cohort_id=cohort.pk, capacity=3)
    assert [Enrollment.objects.get(pk=r.pk).status for r in rows] == [
        E.ENROLLED,
        E.ENROLLED,
        E.ENROLLED,
        E.WAITLISTED,
    ]


def test_the_same_newcomer_is_refused_a_second_time(trainer, cohort, base):
    trainee = factories.TraineeFactory(base=base)
    _enrol(trainer, cohort, trainee)
    with pytest.raises(Conflict):
        _enrol(trainer, cohort, trainee)
    assert cohort.enrollments.count() == 1


def test_the_database_refuses_a_second_row_for_one_newcomer(cohort, base):
    trainee = factories.TraineeFactory(base=base)
    Enrollment.objects.create(cohort=cohort, trainee=trainee, status=E.ENROLLED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(cohort=cohort, trainee=trainee, status=E.WAITLISTED)


def test_a_dropped_newcomer_comes_back_at_the_end_of_the_queue(trainer, cohort, base):
    a, b, c = factories.TraineeFactory.create_batch(3, base=base)
    first = _enrol(trainer, cohort, a)
    _enrol(trainer, cohort, b)
    services.enrollment_drop(actor=reach_for(trainer), enrollment_id=first.pk)
    _enrol(trainer, cohort, c)  # takes the freed place
    back = _enrol(trainer, cohort, a)
    assert back.pk == first.pk
    assert back.status == E.WAITLISTED


def test_completion_issues_a_certificate_and_the_merchant_milestone(trainer, cohort, merchant):
    trainee = factories.TraineeFactory(base=cohort.course.base, merchant=merchant)
    enrolment = _enrol(trainer, cohort, trainee)
    finish_cohort(cohort)
    attend(enrolment)
    services.enrollment_complete(actor=reach_for(trainer), enrollment_id=enrolment.pk)
    enrolment.refresh_from_db()
    assert enrolment.status == E.COMPLETED
    assert Certificate.objects.filter(enrollment=enrolment).count() == 1
    assert Milestone.objects.filter(
        merchant=merchant, kind=Milestone.Kind.FIRST_COURSE_COMPLETED
    ).exists()


def test_a_waitlisted_trainee_cannot_complete(trainer, base):
    cohort = factories.CohortFactory(course__base=base, trainer=trainer, capacity=1)
    a, b = factories.TraineeFactory.create_batch(2, base=base)
    _enrol(trainer, cohort, a)
    waiting = _enrol(trainer, cohort, b)
    with pytest.raises(Conflict):
        services.enrollment_complete(actor=reach_for(trainer), enrollment_id=waiting.pk)
    assert not Certificate.objects.exists()


def _race(target, n=2):
    barrier, errors = threading.Barrier(n), []

    def run(i):
        barrier.wait()
        try:
            target(i)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_enrolments_racing_for_the_last_place_leave_one_enrolled_one_waitlisted():
    base = factories.BaseFactory()
    trainer = factories.UserFactory(role="trainer", base=base)
    cohort = factories.CohortFactory(course__base=base, trainer=trainer, capacity=2)
    factories.EnrollmentFactory(cohort=cohort)  # one place left
    racers = factories.TraineeFactory.create_batch(2, base=base)
    reach = reach_for(trainer)

    errors = _race(
        lambda i: services.enrollment_create(
            actor=reach, cohort_id=cohort.pk, trainee_id=racers[i].pk
        )
    )
    assert errors == []
    statuses = sorted(
        Enrollment.objects.filter(trainee__in=racers).values_list("status", flat=True)
    )
    assert statuses == [E.ENROLLED, E.WAITLISTED]
    assert cohort.enrollments.filter(status=E.ENROLLED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_one_newcomer_enrolled_twice_at_once_holds_one_row():
    base = factories.BaseFactory()
    trainer = factories.UserFactory(role="trainer", base=base)
    cohort = factories.CohortFactory(course__base=base, trainer=trainer, capacity=5)
    trainee = factories.TraineeFactory(base=base)
    reach = reach_for(trainer)

    errors = _race(
        lambda i: services.enrollment_create(
            actor=reach, cohort_id=cohort.pk, trainee_id=trainee.pk
        )
    )
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert Enrollment.objects.filter(cohort=cohort, trainee=trainee).count() == 1
