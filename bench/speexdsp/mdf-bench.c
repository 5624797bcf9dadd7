/*
 * Throughput of SpeexDSP's MDF echo canceller (speex_echo_cancellation), the yardstick for Antiphase's
 * partitioned-block FxLMS (bench/dsp.ts compiles and runs this when libspeexdsp is installed).
 *
 * Job: speex_echo_state_init(frame, filter) at `rate` Hz; far end = white noise; mic = far end through a random
 * decaying FIR (the echo path, `filter`/2 taps) plus low-level white noise. Signals are generated once, before timing.
 * Timing mirrors bench/lib/timing.ts: a warm-up, then `runs` runs, each processing whole frames (cycling over the
 * generated signal) until at least `min_seconds` of process CPU time have passed; x-real-time = audio seconds / CPU
 * seconds (the headline, as the machine may be shared) and audio seconds / wall seconds. Clocks are read every
 * CHECK_STRIDE frames (~0.5 ms of work), so the clock system call does not bias the figure.
 *
 * Usage: mdf-bench [frame=128] [filter=1024] [rate=16000] [runs=7] [min_seconds=0.3] [warmup_seconds=0.2]
 * Prints one JSON line:
 *   {"frame":…,"filter":…,"sampleRate":…,"xRealTime":median,"xRealTimeWall":median,"runs":[…],"runsWall":[…],"echoAttenuationDb":…}
 * (echo attenuation = mic energy / output energy over the last run, a check that the canceller really adapts).
 * The per-frame energy sums are inside the timed loop; they cost 2·frame multiply-adds, negligible beside MDF.
 */
#include <speex/speex_echo.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SIGNAL_SECONDS 10
#define CHECK_STRIDE 16

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

/* xorshift64*: uniform in [-1, 1). */
static double uniform(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (double)((rng_state * 0x2545F4914F6CDD1Dull) >> 11) / (double)(1ull << 52) - 1.0;
}

static double now_seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of n values (sorts a copy). */
static double median(const double *values, int n) {
  double *sorted = malloc((size_t)n * sizeof *sorted);
  if (!sorted) return 0;
  for (int i = 0; i < n; i++) sorted[i] = values[i];
  qsort(sorted, (size_t)n, sizeof *sorted, compare_doubles);
  double m = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  free(sorted);
  return m;
}

static void print_array(const char *name, const double *values, int n) {
  printf("\"%s\":[", name);
  for (int i = 0; i < n; i++) printf("%s%.3f", i ? "," : "", values[i]);
  printf("],");
}

static spx_int16_t clamp16(double v) {
  if (v > 32767.0) return 32767;
  if (v < -32768.0) return -32768;
  return (spx_int16_t)v;
}

int main(int argc, char **argv) {
  int frame = argc > 1 ? atoi(argv[1]) : 128;
  int filter = argc > 2 ? atoi(argv[2]) : 1024;
  int rate = argc > 3 ? atoi(argv[3]) : 16000;
  int runs = argc > 4 ? atoi(argv[4]) : 7;
  double min_seconds = argc > 5 ? atof(argv[5]) : 0.3;
  double warmup_seconds = argc > 6 ? atof(argv[6]) : 0.2;
  if (frame <= 0 || filter <= 0 || rate <= 0 || runs <= 0 || runs > 1000 || !(min_seconds > 0)) {
    fprintf(stderr, "usage: mdf-bench [frame] [filter] [rate] [runs] [min_seconds] [warmup_seconds]\n");
    return 2;
  }

  int frames = (SIGNAL_SECONDS * rate) / frame;
  size_t total = (size_t)frames * (size_t)frame;
  int echo_taps = filter / 2;
  spx_int16_t *far = malloc(total * sizeof *far);
  spx_int16_t *mic = malloc(total * sizeof *mic);
  spx_int16_t *out = malloc((size_t)frame * sizeof *out);
  double *far_d = malloc(total * sizeof *far_d);
  double *echo_path = malloc((size_t)echo_taps * sizeof *echo_path);
  double *results = malloc((size_t)runs * sizeof *results);
  double *results_wall = malloc((size_t)runs * sizeof *results_wall);
  if (!far || !mic || !out || !far_d || !echo_path || !results || !results_wall) return 1;

  for (size_t n = 0; n < total; n++) far_d[n] = 8000.0 * uniform();
  for (int j = 0; j < echo_taps; j++) echo_path[j] = 0.5 * uniform() * (1.0 - (double)j / echo_taps) / 8.0;
  for (size_t n = 0; n < total; n++) {
    double e = 0;
    for (int j = 0; j < echo_taps && (size_t)j <= n; j++) e += echo_path[j] * far_d[n - (size_t)j];
    far[n] = clamp16(far_d[n]);
    mic[n] = clamp16(e + 30.0 * uniform());
  }

  SpeexEchoState *st = speex_echo_state_init(frame, filter);
  speex_echo_ctl(st, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);

  int at = 0;
  double mic_energy = 0, out_energy = 0; /* over the last run: echo attenuation, to show MDF really adapts */
  for (int r = -1; r < runs; r++) {
    double limit = r < 0 ? warmup_seconds : min_seconds;
    long processed = 0;
    mic_energy = out_energy = 0;
    double cpu_start = now_seconds(CLOCK_PROCESS_CPUTIME_ID), wall_start = now_seconds(CLOCK_MONOTONIC), cpu;
    do {
      for (int k = 0; k < CHECK_STRIDE; k++) {
        speex_echo_cancellation(st, mic + (size_t)at * frame, far + (size_t)at * frame, out);
        for (int i = 0; i < frame; i++) {
          mic_energy += (double)mic[(size_t)at * frame + (size_t)i] * mic[(size_t)at * frame + (size_t)i];
          out_energy += (double)out[i] * out[i];
        }
        at = (at + 1) % frames;
        processed++;
      }
      cpu = now_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
    } while (cpu < limit);
    double wall = now_seconds(CLOCK_MONOTONIC) - wall_start;
    if (r >= 0) {
      results[r] = ((double)processed * frame / rate) / cpu;
      results_wall[r] = ((double)processed * frame / rate) / wall;
    }
  }

  printf("{\"frame\":%d,\"filter\":%d,\"sampleRate\":%d,", frame, filter, rate);
  printf("\"xRealTime\":%.3f,\"xRealTimeWall\":%.3f,", median(results, runs), median(results_wall, runs));
  print_array("runs", results, runs);
  print_array("runsWall", results_wall, runs);
  printf("\"echoAttenuationDb\":%.1f}\n", 10.0 * log10(mic_energy / (out_energy > 0 ? out_energy : 1e-30)));

  speex_echo_state_destroy(st);
  free(results_wall);
  free(results);
  free(echo_path);
  free(far_d);
  free(out);
  free(mic);
  free(far);
  return 0;
}
