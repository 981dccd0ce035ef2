/*
 * app_worker.c - work off the UI thread (see app.h): worker threads that run
 * jobs in order, and the queue of calls they post back, which wake the UI
 * loop through a pipe.
 */
#include <stdlib.h>
#include <unistd.h>

#include "app_int.h"

typedef struct job {
    void (*fn)(void *arg);
    void *arg;
    struct job *next;
} job;

static void *worker_loop(void *arg)
{
    app_worker *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stop) pthread_cond_wait(&w->cv, &w->mu);
        if (!w->head && w->stop) break;
        job *j = w->head;
        w->head = j->next;
        if (!w->head) w->tail = NULL;
        w->busy = true;
        pthread_mutex_unlock(&w->mu);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&w->mu);
        w->busy = false;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

void worker_start(app_worker *w)
{
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->head = w->tail = NULL;
    w->stop = false;
    w->started = pthread_create(&w->th, NULL, worker_loop, w) == 0;
}

void worker_submit(app_worker *w, void (*fn)(void *arg), void *arg)
{
    job *j = xcalloc(1, sizeof(*j));
    j->fn = fn;
    j->arg = arg;
    pthread_mutex_lock(&w->mu);
    if (w->tail) w->tail->next = j;
    else w->head = j;
    w->tail = j;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

bool worker_idle(app_worker *w)
{
    if (!w->started) return true;
    pthread_mutex_lock(&w->mu);
    bool idle = !w->head && !w->busy;
    pthread_mutex_unlock(&w->mu);
    return idle;
}

bool app_posted_pending(app *a)
{
    pthread_mutex_lock(&a->mu);
    bool pending = a->posted != NULL;
    pthread_mutex_unlock(&a->mu);
    return pending;
}

/* Finishes the queued jobs and the thread. */
void worker_stop(app_worker *w)
{
    if (!w->started) return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    w->started = false;
}

void app_post(app *a, void (*fn)(app *a, void *arg), void *arg)
{
    app_msg *m = xcalloc(1, sizeof(*m));
    m->fn = fn;
    m->arg = arg;
    pthread_mutex_lock(&a->mu);
    if (a->posted_tail) a->posted_tail->next = m;
    else a->posted = m;
    a->posted_tail = m;
    pthread_mutex_unlock(&a->mu);
    char b = 1;
    if (write(a->wake[1], &b, 1) < 0) {
        /* the pipe is full: the loop is awake anyway */
    }
}

void app_drain_posted(app *a)
{
    char buf[256];
    while (read(a->wake[0], buf, sizeof buf) > 0) {
    }
    pthread_mutex_lock(&a->mu);
    app_msg *m = a->posted;
    a->posted = a->posted_tail = NULL;
    pthread_mutex_unlock(&a->mu);
    while (m) {
        app_msg *next = m->next;
        m->fn(a, m->arg);
        free(m);
        m = next;
    }
}

void app_query(app *a, void (*fn)(void *arg), void *arg)
{
    worker_submit(&a->queries, fn, arg);
}
