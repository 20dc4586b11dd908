/*
 * A failure handler takes fail_mutex, marks the log failed and writes the error to the header; a write error
 * there calls the handler again, but only when the log is not yet marked failed (the test is the static
 * inline tern_log_failed(), two calls below the handler). Marked before the write: the nested call cannot
 * happen (tern_log_fail). Marked after the write (tern_log_fail_late): the write's error path re-enters the
 * handler with fail_mutex held, a real self-deadlock. A "predicate" with a side effect is not read as its
 * test (tern_log_fail_counted): the tool cannot tell, and the recursion stays reported. Nor is a test made after
 * a callee cleared the flag (tern_retry_header): it reads the callee's value, not the caller's.
 */
#include "tern.h"

static int tern_write_header(struct tern_log *log)
{
	int err = tern_submit(log);

	if (err) {
		if (!tern_log_failed(log))
			tern_log_fail(log, err);
	}
	return err;
}

static void tern_record_error(struct tern_log *log)
{
	tern_write_header(log);
}

void tern_log_fail(struct tern_log *log, int err)
{
	mutex_lock(&log->fail_mutex);
	if (log->flags & TERN_LOG_FAILED) {
		mutex_unlock(&log->fail_mutex);
		return;
	}
	log->flags |= TERN_LOG_FAILED;
	log->error = err;
	tern_record_error(log);
	mutex_unlock(&log->fail_mutex);
}

static int tern_write_header_late(struct tern_log *log)
{
	int err = tern_submit(log);

	if (err && !tern_log_failed(log))
		tern_log_fail_late(log, err);
	return err;
}

void tern_log_fail_late(struct tern_log *log, int err)
{
	mutex_lock(&log->fail_mutex);
	log->error = err;
	tern_write_header_late(log); /* expect: recursive-lock */
	log->flags |= TERN_LOG_FAILED;
	mutex_unlock(&log->fail_mutex);
}

static int tern_write_header_counted(struct tern_log *log)
{
	int err = tern_submit(log);

	if (err && !tern_log_failed_counted(log))
		tern_log_fail_counted(log, err);
	return err;
}

void tern_log_fail_counted(struct tern_log *log, int err)
{
	mutex_lock(&log->fail_mutex);
	log->flags |= TERN_LOG_FAILED;
	tern_write_header_counted(log); /* expect: recursive-lock */
	mutex_unlock(&log->fail_mutex);
}

/* A callee that clears the flag before the test: the test no longer reads the caller's value. */
static void tern_clear_failed(struct tern_log *log)
{
	spin_lock(&log->flag_lock);
	log->flags &= ~TERN_LOG_FAILED;
	spin_unlock(&log->flag_lock);
}

static int tern_retry_header(struct tern_log *log)
{
	int err;

	tern_clear_failed(log);
	err = tern_submit(log);
	if (err && !tern_log_failed(log))
		tern_log_fail_retry(log, err);
	return err;
}

void tern_log_fail_retry(struct tern_log *log, int err)
{
	mutex_lock(&log->fail_mutex);
	log->flags |= TERN_LOG_FAILED;
	tern_retry_header(log); /* expect: recursive-lock */
	mutex_unlock(&log->fail_mutex);
}
