// A GPU load for the device check: FMA loops on every SM for SECONDS, then idles
// for IDLE seconds with the context open (an idle GPU still draws power).
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <thread>

__global__ void fma_loop(float *out, int iters)
{
    float a = threadIdx.x * 1e-3f, b = 1.0001f, c = 0.9999f;
    for (int i = 0; i < iters; i++)
        a = fmaf(a, b, c);
    out[blockIdx.x * blockDim.x + threadIdx.x] = a;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 10, idle = argc > 2 ? atof(argv[2]) : 0;
    int blocks = 132 * 8, threads = 256;
    float *out;
    if (cudaMalloc(&out, sizeof(float) * blocks * threads) != cudaSuccess) {
        fprintf(stderr, "burn: no CUDA device\n");
        return 1;
    }
    auto t0 = std::chrono::steady_clock::now();
    long launches = 0;
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
        fma_loop<<<blocks, threads>>>(out, 200000);
        cudaDeviceSynchronize();
        launches++;
    }
    printf("burn: %ld launches in %.1f s\n", launches, seconds);
    std::this_thread::sleep_for(std::chrono::duration<double>(idle));
    cudaFree(out);
    return 0;
}
