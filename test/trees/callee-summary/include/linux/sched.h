/* Miniature sched header for the callee-summary test tree (lockscope test tree, own writing). */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

void cond_resched(void);

#endif
