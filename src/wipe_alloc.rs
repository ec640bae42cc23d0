//! The npm package's global allocator: talc's WebAssembly allocator, but every block is overwritten
//! with zeros before it is freed.
//!
//! Tokens pass through many short-lived buffers on their way in and out (the response body, the
//! parsed JSON tree, request bodies, strings handed to JavaScript). The secret types wipe their own
//! bytes on drop, but those copies would otherwise stay readable in the exported
//! `WebAssembly.Memory` until the allocator happens to reuse them. With this allocator, once the
//! session is cleared (logout, a rejected refresh) no copy of its tokens is left in linear memory.
//! It does not hide tokens that are still in use: while signed in, the page's scripts can read them
//! (see the README, "Residual risks").
//!
//! Only the JavaScript build (`js` feature on wasm32) installs it: a Rust application chooses its
//! own global allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};

/// The allocator underneath: talc's WebAssembly allocator, which grows the memory as needed. It
/// replaces the standard library's dlmalloc here because it is smaller (1,272 bytes gzip of wasm
/// less, measured on the npm build) and faster; wiping stays this module's job.
static INNER: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The allocator with zeroing on free.
pub struct WipeOnFree;

// SAFETY: allocation is delegated to `INNER` unchanged; `dealloc` only writes inside the block
// it is about to free (`layout.size()` bytes from `ptr`, which the caller guarantees were
// allocated with this layout). `realloc` is the trait's default: alloc, copy, then this dealloc,
// so moved-from blocks are wiped too.
unsafe impl GlobalAlloc for WipeOnFree {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        unsafe { INNER.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        unsafe { INNER.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        for i in 0..layout.size() {
            // SAFETY: `ptr..ptr + size` is the live block being freed. Volatile, so the stores
            // are not removed as dead before the free.
            unsafe { ptr.add(i).write_volatile(0) };
        }
        // SAFETY: same contract as the caller's.
        unsafe { INNER.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: WipeOnFree = WipeOnFree;
