use std::alloc::{GlobalAlloc, Layout};
use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

const A: SynthAllocator = SynthAllocator;

fn layout(size: usize, align: usize) -> Layout {
    Layout::from_size_align(size, align).unwrap()
}

/// Allocate, check alignment, fill with `byte`.
fn alloc_filled(l: Layout, byte: u8) -> *mut u8 {
    let p = unsafe { A.alloc(l) };
    assert!(!p.is_null(), "{l:?}");
    assert_eq!(p.addr() % l.align().max(1), 0, "{l:?} at {p:p}");
    unsafe { p.write_bytes(byte, l.size()) };
    p
}

fn assert_filled(p: *const u8, len: usize, byte: u8) {
    let s = unsafe { std::slice::from_raw_parts(p, len) };
    assert!(s.iter().all(|&b| b == byte), "expected {len} bytes of {byte:#x} at {p:p}");
}

#[test]
fn classes_cover_every_small_size_tightly() {
    assert_eq!(NUM_CLASSES, 72);
    assert_eq!(class_size(NUM_CLASSES - 1), MAX_SMALL);
    for size in 1..=MAX_SMALL {
        let c = class_of(size);
        assert!(c < NUM_CLASSES, "{size}");
        let cs = class_size(c);
        assert!(cs >= size && cs % 16 == 0, "{size} -> class {c} of {cs}");
        if c > 0 {
            assert!(class_size(c - 1) < size, "{size}: class {c} is not the smallest");
        }
        // 16-byte steps up to 256, then at most 12.5% rounding.
        assert!(cs - size < 16 || (size > 256 && (cs - size) * 8 < cs), "{size} -> {cs}");
    }
    for c in 1..NUM_CLASSES {
        assert!(class_size(c) > class_size(c - 1));
        assert_eq!(class_of(class_size(c)), c);
    }
}

#[test]
fn every_class_and_alignment_gives_aligned_distinct_blocks() {
    for c in 0..NUM_CLASSES {
        let lo = if c == 0 { 1 } else { class_size(c - 1) + 1 };
        for size in [lo, class_size(c)] {
            for align in [1, 2, 4, 8, 16] {
                let l = layout(size, align);
                let ps: Vec<_> = (0..3u8).map(|i| alloc_filled(l, i)).collect();
                for (i, &p) in ps.iter().enumerate() {
                    assert_filled(p, size, i as u8);
                }
                for p in ps {
                    unsafe { A.dealloc(p, l) };
                }
                // Reused blocks are aligned too.
                let p = alloc_filled(l, 9);
                unsafe { A.dealloc(p, l) };
            }
        }
    }
}

#[test]
fn large_and_over_aligned_requests_go_to_system_aligned() {
    for (size, align) in [(MAX_SMALL + 1, 8), (1 << 20, 16), (8, 32), (100, 64), (3000, 4096), (MAX_SMALL, 32)] {
        let l = layout(size, align);
        let p = alloc_filled(l, 0x5a);
        assert_filled(p, size, 0x5a);
        unsafe { A.dealloc(p, l) };
    }
}

#[test]
fn realloc_grow_shrink_and_cross_class_preserve_contents() {
    // Sizes crossing classes, the small/large boundary both ways, and
    // staying inside one class.
    let sizes = [1, 7, 16, 17, 250, 256, 257, 300, 1000, 4096, MAX_SMALL, MAX_SMALL + 1, 200_000, 40_000, 20, 3, 1];
    for align in [1, 8, 16, 64] {
        let mut l = layout(sizes[0], align);
        let mut p = alloc_filled(l, 0);
        for (i, &new_size) in sizes.iter().enumerate().skip(1) {
            let keep = l.size().min(new_size);
            // Mark the current contents with a per-step pattern.
            for j in 0..l.size() {
                unsafe { p.add(j).write((i + j) as u8) };
            }
            p = unsafe { A.realloc(p, l, new_size) };
            assert!(!p.is_null());
            assert_eq!(p.addr() % align, 0);
            for j in 0..keep {
                assert_eq!(unsafe { p.add(j).read() }, (i + j) as u8, "step {i}, byte {j}, align {align}");
            }
            l = layout(new_size, align);
            unsafe { p.write_bytes(0xee, new_size) };
        }
        unsafe { A.dealloc(p, l) };
    }
}

#[test]
fn realloc_within_a_class_keeps_the_block() {
    let l = layout(17, 8);
    let p = alloc_filled(l, 1);
    let q = unsafe { A.realloc(p, l, 32) };
    assert_eq!(p, q);
    let r = unsafe { A.realloc(q, layout(32, 8), 33) };
    assert_ne!(q, r);
    assert_filled(r, 17, 1);
    unsafe { A.dealloc(r, layout(33, 8)) };
}

#[test]
fn alloc_zeroed_zeroes_reused_blocks() {
    for size in [8, 48, 256, 1000, MAX_SMALL] {
        let l = layout(size, 8);
        let p = alloc_filled(l, 0xaa);
        unsafe { A.dealloc(p, l) };
        let q = unsafe { A.alloc_zeroed(l) };
        assert_eq!(p, q, "the free list is LIFO: the dirty block comes back");
        assert_filled(q, size, 0);
        unsafe { A.dealloc(q, l) };
    }
    let big = layout(MAX_SMALL * 4, 16);
    let p = unsafe { A.alloc_zeroed(big) };
    assert_filled(p, big.size(), 0);
    unsafe { A.dealloc(p, big) };
}

#[test]
fn chunk_rest_is_recycled_not_lost() {
    // On a fresh thread, fill chunks with 30 KiB blocks: 2 fit in a
    // 64 KiB chunk, and each chunk's 4 KiB rest goes to the free lists
    // (here: 16-byte blocks); every block stays distinct and intact.
    std::thread::spawn(|| {
        let l = layout(class_size(NUM_CLASSES - 2), 16);
        let mut ps: Vec<_> = (0..40).map(|i| alloc_filled(l, i as u8)).collect();
        let small = layout(16, 16);
        ps.sort_unstable();
        for w in ps.windows(2) {
            assert!(w[1].addr() - w[0].addr() >= l.size());
        }
        let smalls: Vec<_> = (0..5000).map(|i| alloc_filled(small, (i % 251) as u8)).collect();
        for (i, &p) in smalls.iter().enumerate() {
            assert_filled(p, 16, (i % 251) as u8);
        }
        for p in smalls {
            unsafe { A.dealloc(p, small) };
        }
        for p in ps {
            unsafe { A.dealloc(p, l) };
        }
    })
    .join()
    .unwrap();
}

#[test]
fn freed_large_blocks_become_regions_before_a_new_chunk() {
    std::thread::spawn(|| {
        // Two 32 KiB blocks fill this thread's first chunk; free them.
        let big = layout(MAX_SMALL, 16);
        let (a, b) = (alloc_filled(big, 1), alloc_filled(big, 2));
        unsafe {
            A.dealloc(a, big);
            A.dealloc(b, big);
        }
        // 4,000 blocks of 16 bytes (62.5 KiB) all come out of them.
        let small = layout(16, 16);
        let inside = |p: *mut u8| [a, b].iter().any(|&r| p.addr() >= r.addr() && p.addr() < r.addr() + MAX_SMALL);
        let ps: Vec<_> = (0..4000).map(|i| alloc_filled(small, i as u8)).collect();
        assert!(ps.iter().all(|&p| inside(p)), "a small block came from a new chunk");
        for (i, &p) in ps.iter().enumerate() {
            assert_filled(p, 16, i as u8);
            unsafe { A.dealloc(p, small) };
        }
    })
    .join()
    .unwrap();
}

#[test]
fn many_threads_allocate_and_free_across_threads() {
    use std::sync::mpsc;
    const THREADS: usize = 8;
    const PER: usize = 2000;
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..THREADS).map(|_| mpsc::channel::<(usize, usize, u8)>()).unzip();
    let handles: Vec<_> = rxs
        .into_iter()
        .enumerate()
        .map(|(t, rx)| {
            let next = txs[(t + 1) % THREADS].clone();
            std::thread::spawn(move || {
                // Allocate blocks, fill them, send them to the next thread.
                for i in 0..PER {
                    let size = 1 + (i * 37 + t * 11) % 3000;
                    let byte = (i + t) as u8;
                    let p = alloc_filled(layout(size, 8), byte);
                    next.send((p.expose_provenance(), size, byte)).unwrap();
                }
                drop(next);
                // Check and free what the previous thread sent, then reuse.
                let mut freed = 0;
                for (addr, size, byte) in rx {
                    let p = std::ptr::with_exposed_provenance_mut::<u8>(addr);
                    assert_filled(p, size, byte);
                    unsafe { A.dealloc(p, layout(size, 8)) };
                    let q = alloc_filled(layout(size, 8), !byte);
                    assert_filled(q, size, !byte);
                    unsafe { A.dealloc(q, layout(size, 8)) };
                    freed += 1;
                }
                freed
            })
        })
        .collect();
    drop(txs);
    let freed: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(freed, THREADS * PER);
}

#[derive(Debug, Clone)]
enum Op {
    Alloc { size: usize, align_log: u32, zeroed: bool },
    Realloc { which: usize, size: usize },
    Free { which: usize },
}

fn size_strategy() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 1usize..300, 3 => 1usize..5000, 1 => 1usize..(MAX_SMALL + 5000), 1 => Just(MAX_SMALL), 1 => Just(MAX_SMALL + 1)]
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (size_strategy(), 0u32..7, any::<bool>()).prop_map(|(size, align_log, zeroed)| Op::Alloc { size, align_log, zeroed }),
        2 => (any::<usize>(), size_strategy()).prop_map(|(which, size)| Op::Realloc { which, size }),
        2 => any::<usize>().prop_map(|which| Op::Free { which }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Random alloc/realloc/free sequences against a model: every live
    /// block keeps its contents, is aligned, and overlaps no other.
    #[test]
    fn random_sequences_match_the_model(ops in proptest::collection::vec(op_strategy(), 1..200)) {
        // live: ptr -> (layout, fill byte)
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        for (step, op) in ops.into_iter().enumerate() {
            let byte = (step % 250) as u8 + 1;
            match op {
                Op::Alloc { size, align_log, zeroed } => {
                    let l = layout(size, 1 << align_log);
                    let p = unsafe { if zeroed { A.alloc_zeroed(l) } else { A.alloc(l) } };
                    prop_assert!(!p.is_null());
                    prop_assert_eq!(p.addr() % l.align(), 0);
                    if zeroed {
                        assert_filled(p, size, 0);
                    }
                    unsafe { p.write_bytes(byte, size) };
                    live.push((p, l, byte));
                }
                Op::Realloc { which, size } if !live.is_empty() => {
                    let i = which % live.len();
                    let (p, l, b) = live[i];
                    let q = unsafe { A.realloc(p, l, size) };
                    prop_assert!(!q.is_null());
                    prop_assert_eq!(q.addr() % l.align(), 0);
                    assert_filled(q, l.size().min(size), b);
                    unsafe { q.write_bytes(b, size) };
                    live[i] = (q, layout(size, l.align()), b);
                }
                Op::Free { which } if !live.is_empty() => {
                    let (p, l, b) = live.swap_remove(which % live.len());
                    assert_filled(p, l.size(), b);
                    unsafe { A.dealloc(p, l) };
                }
                _ => {}
            }
            // No two live blocks overlap.
            let ranges: BTreeMap<usize, usize> = live.iter().map(|(p, l, _)| (p.addr(), l.size())).collect();
            prop_assert_eq!(ranges.len(), live.len());
            let mut end = 0;
            for (start, len) in ranges {
                prop_assert!(start >= end, "overlap at {:#x}", start);
                end = start + len;
            }
        }
        for (p, l, b) in live {
            assert_filled(p, l.size(), b);
            unsafe { A.dealloc(p, l) };
        }
    }
}
