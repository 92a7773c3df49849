// Ingestion progress: the namespace's latest tasks (POST /v1/tasks/list), polled every second
// while one is running and every few seconds otherwise; onFinished(task) is told when a task
// this page saw running has ended, so that results can be refreshed.

import { post } from './api.js';
import { h, fill } from './dom.js';

const SHOWN = 6;
const ACTIVE = new Set(['PENDING', 'IN_PROGRESS', 'PROCESSING']);

export class TaskWatcher {
  constructor(list, onFinished) {
    this.list = list;
    this.onFinished = onFinished;
    this.running = new Set();
    this.timer = null;
    this.generation = 0;
  }

  /** Starts polling afresh, for a new namespace. */
  start() {
    this.running.clear();
    this.schedule(0);
  }

  /** Polls now, e.g. right after this page submitted the batch that started taskId. */
  poke(taskId) {
    if (taskId) this.running.add(taskId);
    this.schedule(0);
  }

  stop() {
    clearTimeout(this.timer);
    this.generation++;
  }

  schedule(delay) {
    this.stop();
    const generation = this.generation;
    this.timer = setTimeout(async () => {
      let active = false;
      try {
        active = await this.refresh();
      } catch {
        // a failed poll is retried on the next tick
      }
      if (generation === this.generation) this.schedule(active || this.running.size ? 1000 : 4000);
    }, delay);
  }

  async refresh() {
    const res = await post(`/v1/tasks/list?limit=${SHOWN}`, { sort: { field: 'created_at', direction: 'desc' } });
    const tasks = res.results || [];
    let active = false;
    for (const t of tasks) {
      if (ACTIVE.has(t.status)) {
        active = true;
        this.running.add(t.task_id);
      } else if (this.running.delete(t.task_id)) {
        this.onFinished(t);
      }
    }
    // A task pushed out of the latest few is no longer watched.
    const listed = new Set(tasks.map((t) => t.task_id));
    for (const id of [...this.running]) if (!listed.has(id)) this.running.delete(id);
    this.render(tasks);
    return active;
  }

  render(tasks) {
    fill(this.list, tasks.length ? tasks.map((t) => {
      const d = t.additional_data || {};
      const total = d.total || 0;
      const done = (d.completed || 0) + (d.failed || 0) + (d.canceled || 0);
      return h('li', { class: 'task', dataset: { taskId: t.task_id, status: t.status } },
        h('div', {}, h('strong', {}, t.task_type || 'task'), ' ', h('span', { class: 'task-status' }, t.status)),
        h('progress', { max: Math.max(total, 1), value: total ? done : (ACTIVE.has(t.status) ? 0 : 1), 'aria-label': `${t.task_type} ${t.task_id} progress` }),
        h('div', { class: 'hint' }, `${d.completed || 0} of ${total} done${d.failed ? `, ${d.failed} failed` : ''}`),
        t.error ? h('div', { class: 'error' }, t.error) : null);
    }) : h('li', { class: 'hint' }, 'No tasks yet.'));
  }
}
