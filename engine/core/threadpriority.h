#pragma once
// Background priority for the threads that run pipeline steps.
//
// Contract: runInBackground() lowers the calling thread's CPU priority once
// (later calls on the same thread do nothing) and returns whether it took:
// on Linux the thread's nice value goes to kBackgroundNice (5: about a third
// of the CPU share of a normal thread on busy cores; a thread has its
// own nice value there; processes the step starts inherit it); on macOS the
// thread's QoS class becomes "utility". The API thread, the request pool and
// nats-server keep their priority, so accepting work and answering reads
// come before running it when the cores are busy. Nothing here raises a
// priority again: only call it on threads that run background work for the
// rest of their life.
// Thread affinity: any thread; it affects only the caller.

namespace paas {

inline constexpr int kBackgroundNice = 5;

bool runInBackground();

}  // namespace paas
