/** Task state letters, decoded from the kernel's bits as /proc/PID/stat prints them. */

export type TaskState = "R" | "S" | "D" | "T" | "t" | "X" | "Z" | "P" | "I";

/** Indexed by fls() of the reported state bits, like the kernel's task_state_array. */
export const TASK_STATES: readonly TaskState[] = ["R", "S", "D", "T", "t", "X", "Z", "P", "I"];

const TASK_REPORT = 0x7f;
const TASK_UNINTERRUPTIBLE = 0x2;
const TASK_NOLOAD = 0x400;
const TASK_IDLE = TASK_UNINTERRUPTIBLE | TASK_NOLOAD;
const TASK_REPORT_IDLE = 0x80;
const TASK_RTLOCK_WAIT = 0x1000;
const TASK_FROZEN = 0x8000;

/**
 * The state letter the kernel reports for (__state, exit_state), following
 * __task_state_index() in include/linux/sched.h: zombies and dead tasks live
 * in exit_state; TASK_IDLE (UNINTERRUPTIBLE|NOLOAD) is 'I'; frozen tasks and
 * rtlock waiters read as 'D'.
 */
export function taskStateLetter(state: number, exitState: number): TaskState {
  let report = (state | exitState) & TASK_REPORT;
  if ((state & TASK_IDLE) === TASK_IDLE) report = TASK_REPORT_IDLE;
  if (state & (TASK_RTLOCK_WAIT | TASK_FROZEN)) report = TASK_UNINTERRUPTIBLE;
  // fls(): 1-based index of the highest set bit; 0 (running) when none.
  return TASK_STATES[report === 0 ? 0 : 32 - Math.clz32(report)]!;
}

/** Tasks counted by state letter. */
export type StateCounts = Record<TaskState, number>;

export function zeroStateCounts(): StateCounts {
  return { R: 0, S: 0, D: 0, T: 0, t: 0, X: 0, Z: 0, P: 0, I: 0 };
}
