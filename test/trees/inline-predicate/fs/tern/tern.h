/* tern: a log whose failure path records the error in its header block. */
#include <linux/mutex.h>
#include <linux/spinlock.h>

#define TERN_LOG_FAILED 0x0002
#define TERN_LOG_FLUSHING 0x0004

struct tern_log {
	unsigned long flags;
	int error;
	int checks;
	struct mutex fail_mutex;
	spinlock_t flag_lock;
};

/* A predicate: its body only returns a pure test of its parameter. */
static inline int tern_log_failed(struct tern_log *log)
{
	return log->flags & TERN_LOG_FAILED;
}

/* Not a predicate: it counts its calls, so its answer cannot stand for the test it makes. */
static inline int tern_log_failed_counted(struct tern_log *log)
{
	log->checks++;
	return log->flags & TERN_LOG_FAILED;
}

int tern_submit(struct tern_log *log);
void tern_log_fail(struct tern_log *log, int err);
void tern_log_fail_late(struct tern_log *log, int err);
void tern_log_fail_counted(struct tern_log *log, int err);
void tern_log_fail_retry(struct tern_log *log, int err);
