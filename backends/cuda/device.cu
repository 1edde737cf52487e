// Devices, the context (stream + cuBLAS handle), device buffers and errors.
#include "backends/cuda/cuda_internal.cuh"

#include <stdexcept>
#include <utility>

namespace moesim {

namespace cuda_detail {

void check(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return;
  throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorName(status) + ": " +
                           cudaGetErrorString(status));
}

void check(cublasStatus_t status, const char* what) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  throw std::runtime_error(std::string("cuBLAS error in ") + what + ": " + cublasGetStatusName(status) + ": " +
                           cublasGetStatusString(status));
}

void check_launch(const char* kernel) { check(cudaGetLastError(), kernel); }

DeviceScope::DeviceScope(const CudaContext& ctx) {
  check(cudaGetDevice(&previous_), "cudaGetDevice");
  if (previous_ != ctx.device()) check(cudaSetDevice(ctx.device()), "cudaSetDevice");
}

DeviceScope::~DeviceScope() {
  int current = -1;
  if (cudaGetDevice(&current) == cudaSuccess && current != previous_ && previous_ >= 0)
    (void)cudaSetDevice(previous_);
}

}  // namespace cuda_detail

using cuda_detail::check;

int cuda_device_count() noexcept {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    (void)cudaGetLastError();  // clear it, so that it is not reported by a later check
    return 0;
  }
  return count;
}

std::string cuda_device_summary() noexcept {
  try {
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
      (void)cudaGetLastError();
      return std::string("no CUDA device (") + cudaGetErrorString(status) + ")";
    }
    if (count == 0) return "no CUDA device";
    std::string out = std::to_string(count) + " device(s):";
    for (int d = 0; d < count; ++d) {
      cudaDeviceProp prop{};
      if (cudaGetDeviceProperties(&prop, d) != cudaSuccess) {
        (void)cudaGetLastError();
        out += std::string(d ? "," : "") + " device " + std::to_string(d) + " (properties unavailable)";
        continue;
      }
      out += std::string(d ? "," : "") + " " + prop.name + " (sm_" + std::to_string(prop.major) +
             std::to_string(prop.minor) + ", " + std::to_string(prop.totalGlobalMem >> 20) + " MiB)";
    }
    int runtime = 0, driver = 0;
    (void)cudaRuntimeGetVersion(&runtime);
    (void)cudaDriverGetVersion(&driver);
    auto version = [](int v) { return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10); };
    return out + "; runtime " + version(runtime) + ", driver " + version(driver);
  } catch (...) {
    return "CUDA device query failed";
  }
}

// ------------------------------------------------------------- CudaContext

CudaContext::CudaContext(int device) : impl_(std::make_unique<Impl>()) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    (void)cudaGetLastError();
    throw std::runtime_error(std::string("CUDA backend: no usable CUDA device (cudaGetDeviceCount: ") +
                             cudaGetErrorString(status) + "); build without MOESIM_ENABLE_CUDA or run on a GPU node");
  }
  if (count == 0)
    throw std::runtime_error("CUDA backend: no CUDA device on this machine");
  if (device < 0 || device >= count)
    throw std::runtime_error("CUDA backend: device " + std::to_string(device) + " requested, but only " +
                             std::to_string(count) + " device(s) present");
  impl_->device = device;
  cuda_detail::DeviceScope scope(*this);
  check(cudaStreamCreate(&impl_->stream), "cudaStreamCreate");
  const cublasStatus_t created = cublasCreate(&impl_->cublas);
  if (created != CUBLAS_STATUS_SUCCESS) {
    cudaStreamDestroy(impl_->stream);
    check(created, "cublasCreate");
  }
  try {
    check(cublasSetStream(impl_->cublas, impl_->stream), "cublasSetStream");
    // Default math: FP32 SGEMM keeps FP32 precision (TF32 tensor ops would need
    // CUBLAS_TF32_TENSOR_OP_MATH), so the GEMM matches the host backends.
    check(cublasSetMathMode(impl_->cublas, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
  } catch (...) {
    cublasDestroy(impl_->cublas);
    cudaStreamDestroy(impl_->stream);
    throw;
  }
}

CudaContext::~CudaContext() {
  if (!impl_) return;
  int previous = -1;
  (void)cudaGetDevice(&previous);
  (void)cudaSetDevice(impl_->device);
  if (impl_->cublas) cublasDestroy(impl_->cublas);
  if (impl_->stream) {
    (void)cudaStreamSynchronize(impl_->stream);
    cudaStreamDestroy(impl_->stream);
  }
  if (previous >= 0) (void)cudaSetDevice(previous);
}

int CudaContext::device() const { return impl_->device; }

void CudaContext::synchronize() {
  cuda_detail::DeviceScope scope(*this);
  check(cudaStreamSynchronize(impl_->stream), "cudaStreamSynchronize");
}

// ------------------------------------------------------------ DeviceBuffer

template <class T>
DeviceBuffer<T>::DeviceBuffer(std::size_t count) : size_(count) {
  if (count == 0) return;
  void* p = nullptr;
  check(cudaMalloc(&p, count * sizeof(T)), "cudaMalloc");
  data_ = static_cast<T*>(p);
  const cudaError_t set = cudaMemset(data_, 0, count * sizeof(T));
  if (set != cudaSuccess) {
    cudaFree(data_);
    data_ = nullptr;
    size_ = 0;
    check(set, "cudaMemset");
  }
}

template <class T>
DeviceBuffer<T>::~DeviceBuffer() {
  if (data_) cudaFree(data_);
}

template <class T>
DeviceBuffer<T>::DeviceBuffer(DeviceBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

template <class T>
DeviceBuffer<T>& DeviceBuffer<T>::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    if (data_) cudaFree(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

template <class T>
void DeviceBuffer<T>::upload(const T* host, std::size_t count) {
  if (count > size_)
    throw std::invalid_argument("DeviceBuffer::upload: " + std::to_string(count) + " elements into a buffer of " +
                                std::to_string(size_));
  if (count == 0) return;
  // Kernels enqueued earlier may still read this buffer: wait for them.
  check(cudaDeviceSynchronize(), "DeviceBuffer::upload (earlier asynchronous work)");
  check(cudaMemcpy(data_, host, count * sizeof(T), cudaMemcpyHostToDevice), "DeviceBuffer::upload");
}

template <class T>
void DeviceBuffer<T>::download(T* host, std::size_t count) const {
  if (count > size_)
    throw std::invalid_argument("DeviceBuffer::download: " + std::to_string(count) +
                                " elements from a buffer of " + std::to_string(size_));
  if (count == 0) return;
  // Wait for every stream (kernels run on the contexts' streams), surfacing
  // errors of that asynchronous work here rather than as a wrong copy.
  check(cudaDeviceSynchronize(), "DeviceBuffer::download (earlier asynchronous work)");
  check(cudaMemcpy(host, data_, count * sizeof(T), cudaMemcpyDeviceToHost), "DeviceBuffer::download");
}

template <class T>
void DeviceBuffer<T>::zero() {
  if (size_ == 0) return;
  check(cudaDeviceSynchronize(), "DeviceBuffer::zero (earlier asynchronous work)");
  check(cudaMemset(data_, 0, size_ * sizeof(T)), "DeviceBuffer::zero");
}

template class DeviceBuffer<float>;
template class DeviceBuffer<double>;
template class DeviceBuffer<int>;

}  // namespace moesim
