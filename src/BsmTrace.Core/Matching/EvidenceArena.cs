using System.Diagnostics;
using BsmTrace.Unix;

namespace BsmTrace.Matching;

/// <summary>
/// Where one partition keeps the evidence of its live instances: the raw
/// records, in large pages shared by every instance, each record in a slot of
/// the smallest size class that holds it. A record kept is a handle and a
/// length, not an object of its own.
/// </summary>
/// <remarks>
/// Twenty thousand live brute-force instances with ten failed logins each
/// are 200,000 records that live for days. As one array each (with the arrays
/// that held them) they were most of what the collector had to copy from
/// generation to generation, and every copy landed in memory the process
/// touched for the first time, which costs a page fault per 4 KB. Here they
/// are written once, into pages that are not moved (large-object pages,
/// allocated without clearing), and a freed slot is reused by the next record
/// of its size. A page whose slots are all free goes back to the collector
/// unless it is its size class's last page with room, so memory follows the
/// number of live records down as well as up. One thread uses an arena: the
/// partition's.
/// </remarks>
internal sealed class EvidenceArena
{
    /// <summary>Bytes in a page: above the large-object threshold, so pages are never copied by the collector.</summary>
    internal const int PageSize = 256 * 1024;

    private const int SlotBits = 13; // PageSize / smallest class = 8192 slots a page
    private const int SlotMask = (1 << SlotBits) - 1;

    // Steps of 16 bytes up to 256, then of about an eighth to a quarter: audit records are mostly 60
    // to 400 bytes, and a record of a common kind wastes a few bytes of its slot rather than a
    // third. A record larger than the largest class gets a page of its own size.
    private static readonly int[] ClassSizes =
        [32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 320, 384, 448, 512, 640, 768, 896, 1024, 1280, 1536, 2048, 3072, 4096, 6144, 8192];

    private const int Unit = 16;

    // The class of a length, by 16-byte unit: one look-up instead of a search, for every record kept.
    private static readonly byte[] ClassByUnits = BuildClassByUnits();

    private readonly List<Page?> _pages = [];
    private readonly List<int> _freePageIds = []; // a stack; List<int> is precompiled, Stack<int> is not
    private readonly List<Page>[] _withRoom; // per class, the pages with a free slot

    /// <summary>Page ids a handle can hold: 2^18 pages, 64 GB of slot pages.</summary>
    internal const int MaxPageIds = int.MaxValue >> SlotBits;

    private readonly int _maxPages;
    private readonly long _budget;
    private long _bytes;
    private long _refused;

    /// <param name="budget">Bytes of records the arena may hold at once (each counted at its slot's size).</param>
    /// <param name="maxPages">Fewer page ids than a handle holds, for tests of running out.</param>
    public EvidenceArena(long budget = long.MaxValue, int maxPages = MaxPageIds)
    {
        _budget = budget;
        _maxPages = Math.Min(maxPages, MaxPageIds);
        Debug.Assert(PageSize / ClassSizes[0] <= 1 << SlotBits);
        _withRoom = new List<Page>[ClassSizes.Length];
        for (int c = 0; c < _withRoom.Length; c++)
            _withRoom[c] = [];
    }

    /// <summary>Records kept.</summary>
    public int Records { get; private set; }

    /// <summary>Bytes of the pages the kept records are in (read from other threads for the metrics).</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Records not kept because the budget was spent (read from other threads for the metrics).</summary>
    public long Refused => Volatile.Read(ref _refused);

    /// <summary>Pages held (for the tests and for memory figures).</summary>
    public int Pages => _pages.Count - _freePageIds.Count;

    /// <summary>
    /// Copies <paramref name="record"/> into a slot and gives its handle; false, keeping nothing,
    /// when the byte budget is spent (counted in <see cref="Refused"/>) or every page id is taken.
    /// The evidence then leaves the record out and counts it, and matching goes on.
    /// </summary>
    public bool TryStore(ReadOnlySpan<byte> record, out int handle)
    {
        int c = ClassOf(record.Length);
        // The budget counts the pages held, not the slots used: a slot in a page already held costs
        // nothing more, and a page half empty is still memory the process holds.
        var page = c >= 0 && _withRoom[c].Count > 0 ? _withRoom[c][^1] : null;
        if (page is null)
        {
            if (_bytes + (c >= 0 ? PageSize : record.Length) > _budget)
            {
                Volatile.Write(ref _refused, _refused + 1);
                handle = -1;
                return false;
            }

            page = TryNewPage(record.Length, c);
        }

        if (page is null)
        {
            handle = -1;
            return false;
        }

        int slot = page.Take();
        if (c >= 0 && page.IsFull)
            RemoveWithRoom(page);
        record.CopyTo(page.Bytes.AsSpan(slot * page.SlotSize, record.Length));
        Records++;
        handle = (page.Id << SlotBits) | slot;
        return true;
    }

    /// <summary>
    /// A new page for a record of size class <paramref name="c"/> (among the class's pages with
    /// room), or, for a record larger than every class, a page of its own; null when every page id
    /// is taken.
    /// </summary>
    private Page? TryNewPage(int length, int c)
    {
        if (_freePageIds.Count == 0 && _pages.Count >= _maxPages)
            return null;
        if (c < 0)
            return NewPage(new byte[length], length, classIndex: -1);
        var page = NewPage(NewPinnedPage(), ClassSizes[c], c);
        AddWithRoom(page);
        return page;
    }

    /// <summary>The record kept under <paramref name="handle"/>, valid until it is freed.</summary>
    public ReadOnlySpan<byte> Get(int handle, int length)
    {
        var page = _pages[handle >> SlotBits]!;
        return page.Bytes.AsSpan((handle & SlotMask) * page.SlotSize, length);
    }

    /// <summary>Gives the slot back; the handle must not be used again.</summary>
    public void Free(int handle)
    {
        var page = _pages[handle >> SlotBits]!;
        bool wasFull = page.IsFull;
        page.Give(handle & SlotMask);
        Records--;
        if (page.ClassIndex < 0)
        {
            ReleasePage(page);
            return;
        }

        if (wasFull)
            AddWithRoom(page);
        // An empty page goes unless it is the only one with room: a class that empties and fills
        // again around one page (a sequence started and ended over and over) must not churn pages.
        if (page.Live == 0 && _withRoom[page.ClassIndex].Count > 1)
        {
            RemoveWithRoom(page);
            ReleasePage(page);
        }
    }

    private static int ClassOf(int length) => length <= ClassSizes[^1] ? ClassByUnits[(length + Unit - 1) / Unit] : -1;

    private static byte[] BuildClassByUnits()
    {
        var byUnits = new byte[(ClassSizes[^1] / Unit) + 1];
        int c = 0;
        for (int units = 0; units < byUnits.Length; units++)
        {
            while (ClassSizes[c] < units * Unit)
                c++;
            byUnits[units] = (byte)c;
        }

        return byUnits;
    }

    /// <summary>A page for slots: not cleared (a slot is written before it is read), pinned so that its pages can be mapped in one call.</summary>
    private static byte[] NewPinnedPage()
    {
        var bytes = GC.AllocateUninitializedArray<byte>(PageSize, pinned: true);
        PageFaults.Populate(bytes);
        return bytes;
    }

    private Page NewPage(byte[] bytes, int slotSize, int classIndex)
    {
        int id;
        if (_freePageIds.Count > 0)
        {
            id = _freePageIds[^1];
            _freePageIds.RemoveAt(_freePageIds.Count - 1);
        }
        else
        {
            id = _pages.Count;
            _pages.Add(null);
        }

        var page = new Page(id, bytes, slotSize, classIndex);
        _pages[id] = page;
        Volatile.Write(ref _bytes, _bytes + bytes.Length);
        return page;
    }

    private void ReleasePage(Page page)
    {
        Volatile.Write(ref _bytes, _bytes - page.Bytes.Length);
        _pages[page.Id] = null;
        _freePageIds.Add(page.Id);
    }

    private void AddWithRoom(Page page)
    {
        var list = _withRoom[page.ClassIndex];
        page.WithRoomIndex = list.Count;
        list.Add(page);
    }

    private void RemoveWithRoom(Page page)
    {
        var list = _withRoom[page.ClassIndex];
        var last = list[^1];
        list[page.WithRoomIndex] = last;
        last.WithRoomIndex = page.WithRoomIndex;
        list.RemoveAt(list.Count - 1);
        page.WithRoomIndex = -1;
    }

    /// <summary>
    /// Slots of one size. Free slots form a list threaded through their own first four bytes;
    /// slots never used yet are taken in order, so a new page needs no list built first.
    /// </summary>
    private sealed class Page(int id, byte[] bytes, int slotSize, int classIndex)
    {
        private int _freeHead = -1;
        private int _untouched;

        public int Id { get; } = id;

        public byte[] Bytes { get; } = bytes;

        public int SlotSize { get; } = slotSize;

        public int ClassIndex { get; } = classIndex;

        public int Capacity { get; } = bytes.Length / slotSize;

        public int Live { get; private set; }

        public int WithRoomIndex { get; set; } = -1;

        public bool IsFull => Live == Capacity;

        public int Take()
        {
            int slot;
            if (_freeHead >= 0)
            {
                slot = _freeHead;
                _freeHead = BitConverter.ToInt32(Bytes, slot * SlotSize);
            }
            else
            {
                slot = _untouched++;
            }

            Live++;
            return slot;
        }

        public void Give(int slot)
        {
            BitConverter.TryWriteBytes(Bytes.AsSpan(slot * SlotSize), _freeHead); // every slot has room: the smallest class is 32 bytes
            _freeHead = slot;
            Live--;
        }
    }
}
