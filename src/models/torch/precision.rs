//! Mixed precision on CUDA in bfloat16. tch 0.24 turns autocast on and off but cannot pick
//! its type, and libtorch's default on CUDA is float16, which needs loss scaling to train
//! safely; bfloat16 has float32's range and does not. libtorch exports the setter, declared
//! here by its C++ name: both arguments are one-byte enums (`c10::DeviceType`,
//! `c10::ScalarType`), passed as C passes `int8_t`.

unsafe extern "C" {
    #[link_name = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE"]
    fn set_autocast_dtype(device_type: i8, scalar_type: i8);
    #[link_name = "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE"]
    fn get_autocast_dtype(device_type: i8) -> i8;
}

/// `c10::DeviceType::CUDA`.
const CUDA: i8 = 1;
/// `c10::ScalarType` numbers (c10/core/ScalarType.h).
const HALF: i8 = 5;
const BFLOAT16: i8 = 15;

/// Makes autocast on CUDA compute in bfloat16 on this thread (the setting is per thread).
pub fn cuda_autocast_in_bfloat16() {
    // SAFETY: a plain setter of a thread-local value, with valid enum values.
    unsafe { set_autocast_dtype(CUDA, BFLOAT16) }
}

/// The type autocast on CUDA computes in on this thread, if it is float16 or bfloat16.
pub fn cuda_autocast_type() -> Option<tch::Kind> {
    // SAFETY: a plain getter of a thread-local value.
    match unsafe { get_autocast_dtype(CUDA) } {
        HALF => Some(tch::Kind::Half),
        BFLOAT16 => Some(tch::Kind::BFloat16),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Needs no GPU: the setting is kept by libtorch whether or not CUDA is present.
    #[test]
    fn cuda_autocast_switches_from_float16_to_bfloat16() {
        std::thread::spawn(|| {
            assert_eq!(cuda_autocast_type(), Some(tch::Kind::Half), "libtorch's default");
            cuda_autocast_in_bfloat16();
            assert_eq!(cuda_autocast_type(), Some(tch::Kind::BFloat16));
        })
        .join()
        .unwrap();
    }
}
