//! `SynthAllocator`: a small global allocator for stackcraft app binaries.
//!
//! An app's `synth` is one short run that makes tens of thousands of small
//! allocations (strings, maps, JSON values; the order portal: 67,500 blocks,
//! 7.2 MB in all, 3.4 MB live at the peak and 3.3 MB still live at exit).
//! glibc's malloc spent a quarter of that run's instructions on bookkeeping
//! and grew its heap page by page (one page fault per 4 KiB).
//! This allocator instead:
//!
//! - serves requests of at most [`MAX_SMALL`] bytes with alignment at most 16
//!   from 72 size classes (16-byte steps up to 256 bytes, then eight classes
//!   per power of two), each with an intrusive singly linked free list, and
//!   otherwise bumps a pointer through the current region;
//! - makes a new region out of the largest free block when the current one
//!   runs out (reuse before growing), and only when no free block is large
//!   enough, out of a new chunk;
//! - gets those chunks ([`CHUNK`] bytes) from the OS with `mmap` and
//!   `MAP_POPULATE`, so a chunk costs one system call instead of 16 page
//!   faults (portal prod: 484 faults, 1,330 without `MAP_POPULATE`, 1,392
//!   with glibc; the same peak RSS);
//! - sends larger or over-aligned requests to [`std::alloc::System`]
//!   (glibc), which keeps `mremap` for the large growing output buffers;
//! - keeps all state per thread (`thread_local!` with a `const` initializer
//!   and no destructor: no lock, no TLS destructor, no allocation while
//!   allocating). A block freed on another thread joins the freeing
//!   thread's list: memory is memory.
//!
//! It never returns small-block memory to the OS: a synth CLI is short
//! lived, and its peak is close to its end. Do not install it in a
//! long-running server whose working set shrinks and moves between threads.
//!
//! The size class of a block is derived from the `Layout` the caller passes
//! back to `dealloc`/`realloc` (the `GlobalAlloc` contract), so blocks carry
//! no header. On targets other than Linux the type forwards every call to
//! `System` unchanged.
//!
//! ```
//! #[global_allocator]
//! static ALLOC: stackcraft_alloc::SynthAllocator = stackcraft_alloc::SynthAllocator;
//!
//! fn main() {
//!     let v: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
//!     assert_eq!(v[999], "999");
//! }
//! ```
//!
//! Apps reach it as `stackcraft::SynthAllocator`.
#![deny(unsafe_op_in_unsafe_fn)]

use std::alloc::{GlobalAlloc, Layout, System};

/// The largest request (in bytes) served from the size classes; larger
/// requests go to [`System`].
pub const MAX_SMALL: usize = 32 * 1024;

/// The size of the chunks the size classes are carved from.
pub const CHUNK: usize = 64 * 1024;

/// The alignment of every small block (and of every class size).
const ALIGN: usize = 16;

/// Classes of 16, 32, ... 256 bytes.
const LINEAR_CLASSES: usize = 16;

/// Above 256 bytes: eight classes per power of two (rounding up by at most
/// 12.5%; four classes measured the same peak RSS on the portal).
const PER_DOUBLING: usize = 8;

/// The number of size classes: the class of [`MAX_SMALL`], plus one.
const NUM_CLASSES: usize = class_of(MAX_SMALL) + 1;

/// The size class of a request of `size` bytes (`size <= MAX_SMALL`): the
/// smallest class whose size is at least `size`. Size 0 maps to class 0.
const fn class_of(size: usize) -> usize {
    if size <= LINEAR_CLASSES * ALIGN {
        return size.saturating_sub(1) / ALIGN;
    }
    // size > 256, so s >= 256 and lg >= 8: s lies in [2^lg, 2^(lg+1)), and
    // s >> (lg - 3) in [8, 16) picks one of the group's eight classes.
    let s = size - 1;
    let lg = (usize::BITS - 1 - s.leading_zeros()) as usize;
    LINEAR_CLASSES + (lg - 8) * PER_DOUBLING + ((s >> (lg - 3)) - PER_DOUBLING)
}

/// The block size of class `class` (a multiple of 16).
const fn class_size(class: usize) -> usize {
    if class < LINEAR_CLASSES {
        return (class + 1) * ALIGN;
    }
    let group = (class - LINEAR_CLASSES) / PER_DOUBLING;
    let step = (class - LINEAR_CLASSES) % PER_DOUBLING;
    let lg = group + 8;
    (1 << lg) + ((step + 1) << (lg - 3))
}

/// Whether a layout is served from the size classes. `dealloc` and
/// `realloc` receive the allocation's layout, so the routing of a block
/// is decided the same way on every call.
#[inline]
const fn is_small(size: usize, align: usize) -> bool {
    size <= MAX_SMALL && align <= ALIGN
}

/// A global allocator for short-lived app binaries (see the crate docs).
/// Install it in an app's `main.rs` with [`synth_allocator!`] or a
/// `#[global_allocator]` static of this type.
#[derive(Debug, Default, Clone, Copy)]
pub struct SynthAllocator;

/// Install [`SynthAllocator`] as the binary's global allocator, in one line
/// of an app's `main.rs` (the examples count their lines):
/// `stackcraft::synth_allocator!();` expands to
/// `#[global_allocator] static STACKCRAFT_SYNTH_ALLOCATOR: SynthAllocator = SynthAllocator;`.
///
/// ```
/// stackcraft_alloc::synth_allocator!();
///
/// fn main() {
///     let s: String = (0..100).map(|i| i.to_string()).collect();
///     assert!(s.ends_with("99"));
/// }
/// ```
#[macro_export]
macro_rules! synth_allocator {
    () => {
        #[global_allocator]
        static STACKCRAFT_SYNTH_ALLOCATOR: $crate::SynthAllocator = $crate::SynthAllocator;
    };
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code, reason = "the free lists and chunks of the allocator")]
mod local {
    //! The per-thread state and the chunk source (Linux).

    use std::cell::Cell;
    use std::ptr;

    use super::{class_of, class_size, Layout, System, ALIGN, CHUNK, NUM_CLASSES};

    /// One thread's free lists and bump region. Only `Cell`s of raw
    /// pointers: no `Drop`, so `thread_local!` registers no destructor and
    /// the state stays usable until the thread's very end.
    pub(super) struct Local {
        /// Head of each class's free list (null: empty). A free block's
        /// first word holds the next block (or null).
        free: [Cell<*mut u8>; NUM_CLASSES],
        /// Bit `c` set: the free list of class `c` is not empty.
        nonempty: Cell<u128>,
        /// The unused rest of the current region (a chunk, or a recycled
        /// free block): `[bump, end)`, with `bump <= end`, both 16-aligned
        /// (null, null before the first region).
        bump: Cell<*mut u8>,
        end: Cell<*mut u8>,
    }

    thread_local! {
        pub(super) static LOCAL: Local = const {
            Local {
                free: [const { Cell::new(ptr::null_mut()) }; NUM_CLASSES],
                nonempty: Cell::new(0),
                bump: Cell::new(ptr::null_mut()),
                end: Cell::new(ptr::null_mut()),
            }
        };
    }

    const _: () = assert!(NUM_CLASSES <= u128::BITS as usize, "one bit per class in `nonempty`");

    impl Local {
        /// A block of class `class` (`class < NUM_CLASSES`), 16-aligned
        /// and `class_size(class)` bytes long, or null when the OS has no
        /// memory left.
        #[inline]
        pub(super) fn alloc(&self, class: usize) -> *mut u8 {
            let block = self.pop(class);
            if !block.is_null() {
                return block;
            }
            self.bump(class_size(class))
        }

        /// The head of class `class`'s free list, taken off it (null when
        /// the list is empty).
        #[inline]
        fn pop(&self, class: usize) -> *mut u8 {
            let Some(head) = self.free.get(class) else {
                return ptr::null_mut();
            };
            let block = head.get();
            if block.is_null() {
                return block;
            }
            // SAFETY: `block` is the head of this class's free list: a
            // free, 16-aligned block of at least 16 bytes that this
            // allocator owns; `push` wrote its first word.
            let next = unsafe { block.cast::<*mut u8>().read() };
            head.set(next);
            if next.is_null() {
                self.nonempty.set(self.nonempty.get() & !(1u128 << class));
            }
            block
        }

        /// Put `block`, a block of class `class`, on that class's free list.
        ///
        /// # Safety
        /// `block` is a 16-aligned block of at least `class_size(class)`
        /// bytes (so at least 16) that nobody uses any more and that stays
        /// valid for the rest of the process.
        #[inline]
        pub(super) unsafe fn push(&self, class: usize, block: *mut u8) {
            let Some(head) = self.free.get(class) else {
                return;
            };
            // SAFETY: the caller guarantees `block` is unused, writable,
            // 16-aligned and at least 16 bytes long: room for one pointer.
            unsafe { block.cast::<*mut u8>().write(head.get()) };
            head.set(block);
            self.nonempty.set(self.nonempty.get() | (1u128 << class));
        }

        /// `size` bytes (a class size) from the current chunk, or from a
        /// new one when the rest is too short.
        #[inline]
        fn bump(&self, size: usize) -> *mut u8 {
            let bump = self.bump.get();
            let rest = self.end.get().addr().saturating_sub(bump.addr());
            if rest >= size {
                // SAFETY: `size <= rest`, so `bump + size` stays within (or
                // one past the end of) the current chunk.
                self.bump.set(unsafe { bump.add(size) });
                return bump;
            }
            self.refill(size)
        }

        /// Hand the rest of the current region to the free lists, start a
        /// new region and take `size` bytes from it. Reuse before growing:
        /// the new region is a block of the largest non-empty class when it
        /// holds `size` bytes (freed buffers of a class nobody asks for any
        /// more serve all classes again), else a new chunk from the OS.
        #[cold]
        fn refill(&self, size: usize) -> *mut u8 {
            self.retire_rest();
            let nonempty = self.nonempty.get();
            if nonempty != 0 {
                let top = (u128::BITS - 1 - nonempty.leading_zeros()) as usize;
                let region = class_size(top);
                if region >= size {
                    let block = self.pop(top);
                    if !block.is_null() {
                        // SAFETY: `block` is a free block of `region >= size`
                        // bytes, now off every list and owned by the region.
                        let (bump, end) = unsafe { (block.add(size), block.add(region)) };
                        self.bump.set(bump);
                        self.end.set(end);
                        return block;
                    }
                }
            }
            let chunk = new_chunk();
            if chunk.is_null() {
                return ptr::null_mut();
            }
            // SAFETY: `chunk` is CHUNK bytes; `size <= MAX_SMALL < CHUNK`.
            let (bump, end) = unsafe { (chunk.add(size), chunk.add(CHUNK)) };
            self.bump.set(bump);
            self.end.set(end);
            chunk
        }

        /// Carve the region's rest `[bump, end)` into blocks of the largest classes that fit
        /// (all sizes are multiples of 16 and the 16-byte class exists, so
        /// nothing is left over) and push them on their free lists.
        fn retire_rest(&self) {
            let mut at = self.bump.get();
            let mut rest = self.end.get().addr().saturating_sub(at.addr());
            while rest >= ALIGN {
                // rest < MAX_SMALL here (a request of at most MAX_SMALL did
                // not fit), so class_of(rest) is a valid class.
                let mut class = class_of(rest);
                if class_size(class) > rest {
                    class = class.saturating_sub(1);
                }
                let size = class_size(class);
                // SAFETY: `[at, at + size)` lies in the unused, 16-aligned
                // rest of the current region (a chunk or a recycled block,
                // both never freed), which nothing else refers to.
                unsafe { self.push(class, at) };
                // SAFETY: `size <= rest`: stays within the region.
                at = unsafe { at.add(size) };
                rest -= size;
            }
            self.bump.set(ptr::null_mut());
            self.end.set(ptr::null_mut());
        }
    }

    /// A new chunk of CHUNK bytes, 16-aligned (page-aligned from mmap),
    /// never freed; null when out of memory.
    fn new_chunk() -> *mut u8 {
        // SAFETY: an anonymous private mapping with no address hint has no
        // preconditions; the result is checked against MAP_FAILED.
        let p = unsafe {
            libc::mmap(
                ptr::null_mut(),
                CHUNK,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_POPULATE,
                -1,
                0,
            )
        };
        if p != libc::MAP_FAILED {
            return p.cast();
        }
        // mmap refused (e.g. a mapping-count limit): ask malloc instead.
        match Layout::from_size_align(CHUNK, ALIGN) {
            // SAFETY: the layout has a non-zero size.
            Ok(layout) => unsafe { std::alloc::GlobalAlloc::alloc(&System, layout) },
            Err(_) => ptr::null_mut(),
        }
    }
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code, reason = "the small-block paths of the allocator")]
impl SynthAllocator {
    /// A small block for `layout` (`is_small`): from this thread's lists,
    /// or, if thread-local storage is unavailable (never for a state
    /// without destructor, but handled), from System with the full class
    /// size so the block can join a free list later.
    #[inline]
    fn alloc_small(size: usize) -> *mut u8 {
        let class = class_of(size);
        match local::LOCAL.try_with(|l| l.alloc(class)) {
            Ok(p) => p,
            Err(_) => match Layout::from_size_align(class_size(class), ALIGN) {
                // SAFETY: class sizes are non-zero.
                Ok(layout) => unsafe { System.alloc(layout) },
                Err(_) => std::ptr::null_mut(),
            },
        }
    }

    /// Return a small block to this thread's list of its class.
    ///
    /// # Safety
    /// `ptr` was returned by `alloc_small(size)` (any thread) and is no
    /// longer used.
    #[inline]
    unsafe fn dealloc_small(ptr: *mut u8, size: usize) {
        let class = class_of(size);
        // SAFETY: per the caller, `ptr` is an unused block of class
        // `class` (16-aligned, `class_size(class)` bytes) from a chunk or a
        // System allocation that is never freed. If TLS is unavailable the
        // block is leaked, which is safe.
        let _ = local::LOCAL.try_with(|l| unsafe { l.push(class, ptr) });
    }
}

// SAFETY: small layouts (size <= MAX_SMALL, align <= 16) get distinct,
// 16-aligned blocks of at least the layout's size, never handed out twice
// while live (a block is on at most one free list, and only once freed);
// every other layout is served by System. `dealloc` and `realloc` route by
// the layout they are given, which the GlobalAlloc contract makes the one the
// block was allocated with, so each block returns to the allocator that made
// it. Nothing here unwinds or allocates through the global allocator.
//
// `#[inline(never)]`: with fat LTO, inlining the allocator into every
// allocation site grew the portal binary by 760 KB (5.94 -> 6.70 MB) and
// its peak RSS by ~1 MiB (text pages); glibc's malloc is a call too.
#[cfg(target_os = "linux")]
#[allow(unsafe_code, reason = "implementing a global allocator")]
unsafe impl GlobalAlloc for SynthAllocator {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if is_small(layout.size(), layout.align()) {
            return Self::alloc_small(layout.size());
        }
        // SAFETY: forwarded with the caller's guarantees (non-zero size).
        unsafe { System.alloc(layout) }
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if is_small(layout.size(), layout.align()) {
            let p = Self::alloc_small(layout.size());
            if !p.is_null() {
                // SAFETY: `p` is a fresh block of at least `layout.size()`
                // bytes. Reused blocks hold old data: always zero.
                unsafe { p.write_bytes(0, layout.size()) };
            }
            return p;
        }
        // SAFETY: forwarded with the caller's guarantees (non-zero size).
        unsafe { System.alloc_zeroed(layout) }
    }

    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_small(layout.size(), layout.align()) {
            // SAFETY: the caller passes a block this allocator returned for
            // `layout`; a small layout means `alloc_small` made it.
            unsafe { Self::dealloc_small(ptr, layout.size()) };
            return;
        }
        // SAFETY: a large layout means System made the block.
        unsafe { System.dealloc(ptr, layout) }
    }

    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        let old_small = is_small(layout.size(), align);
        let new_small = is_small(new_size, align);
        if old_small && new_small && class_of(layout.size()) == class_of(new_size) {
            // Same class: the block already has room for `new_size`.
            return ptr;
        }
        if !old_small && !new_small {
            // SAFETY: both layouts are System's; forwarded with the
            // caller's guarantees (valid `ptr`, `new_size` fits a Layout).
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // Moving between classes or between the classes and System.
        let Ok(new_layout) = Layout::from_size_align(new_size, align) else {
            return std::ptr::null_mut();
        };
        // SAFETY: `new_size` is non-zero (GlobalAlloc::realloc contract).
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are valid for `min(old, new)` bytes and
            // distinct (`ptr` is live, so `alloc` cannot have returned it);
            // `ptr` was allocated with `layout` and is not used after this.
            unsafe {
                ptr.copy_to_nonoverlapping(new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

// SAFETY: every call is forwarded unchanged to System.
#[cfg(not(target_os = "linux"))]
#[allow(unsafe_code, reason = "implementing a global allocator")]
unsafe impl GlobalAlloc for SynthAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[cfg(test)]
#[allow(unsafe_code, reason = "tests call the allocator directly")]
#[allow(
    clippy::undocumented_unsafe_blocks,
    reason = "test calls follow the GlobalAlloc contract: a live block with its own layout"
)]
mod tests;
