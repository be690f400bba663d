using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NetServ.Sdk;

namespace NetServ.Container.Packets;

/// <summary>What the chain decided for one packet.</summary>
internal enum PacketOutcome
{
    /// <summary>Accept the original packet (unchanged, or a module threw).</summary>
    Accept,

    /// <summary>Accept the packet with the modules' changes (checksums already fixed).</summary>
    AcceptModified,

    /// <summary>Drop the packet.</summary>
    Drop,
}

/// <summary>
/// The user's packet-processing modules in installation order. Each packet visits the modules
/// whose filter selects it; a module that throws is logged and the original packet accepted.
/// Records which module is running since when, so the dispatcher's watchdog can spot a hang.
/// </summary>
internal sealed partial class ModuleChain(ILogger<ModuleChain> logger)
{
    private ModuleSlot[] _slots = [];
    private long _callStarted;
    private ModuleSlot? _callSlot;

    /// <summary>Raised (on the reader thread) when a module ran out of memory; the slot is already out of the chain.</summary>
    public event Action<ModuleSlot, Exception>? ModuleOutOfMemory;

    public IReadOnlyList<ModuleSlot> Slots => Volatile.Read(ref _slots);

    public bool IsEmpty => Volatile.Read(ref _slots).Length == 0;

    /// <summary>When the module call in progress started (Stopwatch timestamp), or 0 when none is.</summary>
    public long CallStarted => Volatile.Read(ref _callStarted);

    /// <summary>The module of the call in progress (or of the last call). Read it only when needed: a copy kept in a long-lived frame would keep a removed module alive.</summary>
    public ModuleSlot? CallSlot => Volatile.Read(ref _callSlot);

    public void Add(ModuleSlot slot)
    {
        lock (this)
        {
            Volatile.Write(ref _slots, [.. _slots, slot]);
        }
    }

    /// <summary>Takes the slot of <paramref name="moduleName"/> out of the chain; the packet path stops calling it from the next packet on.</summary>
    public ModuleSlot? Remove(string moduleName)
    {
        lock (this)
        {
            var slot = _slots.FirstOrDefault(s => s.ModuleName == moduleName);
            if (slot is not null)
            {
                Volatile.Write(ref _slots, _slots.Where(s => s != slot).ToArray());

                // The watchdog's note of the last call must not keep an unloaded module alive.
                Interlocked.CompareExchange(ref _callSlot, null, slot);
            }

            return slot;
        }
    }

    /// <summary>Passes one packet through the chain. Allocation-free unless a module throws.</summary>
    /// <remarks>Never inlined: references to modules then live only in this frame, not in the reader's long-lived one, so removed modules can be collected.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public PacketOutcome Process(ref Packet packet)
    {
        var slots = Volatile.Read(ref _slots);
        foreach (var slot in slots)
        {
            if (!slot.Filter.Matches(packet))
            {
                continue;
            }

            PacketVerdict verdict;
            packet.CheckChanged();
            Volatile.Write(ref _callSlot, slot);
            Volatile.Write(ref _callStarted, Stopwatch.GetTimestamp());
            try
            {
                verdict = slot.Processor.Process(ref packet);
            }
            catch (OutOfMemoryException e)
            {
                Volatile.Write(ref _callStarted, 0);
                slot.CountError();
                slot.LastError = "out of memory";
                Remove(slot.ModuleName);
                ModuleOutOfMemory?.Invoke(slot, e);
                return PacketOutcome.Accept;
            }
            catch (Exception e)
            {
                Volatile.Write(ref _callStarted, 0);
                OnModuleException(slot, e);
                return PacketOutcome.Accept;
            }

            Volatile.Write(ref _callStarted, 0);
            slot.CountPacket();
            if (verdict == PacketVerdict.Drop)
            {
                slot.CountDrop();
                return PacketOutcome.Drop;
            }

            // IsModified stays set for the modules after the one that changed the packet; only that one counts it.
            if (packet.CheckChanged())
            {
                slot.CountModified();
            }
        }

        if (!packet.IsModified)
        {
            return PacketOutcome.Accept;
        }

        packet.UpdateChecksums();
        return PacketOutcome.AcceptModified;
    }

    private void OnModuleException(ModuleSlot slot, Exception e)
    {
        slot.CountError();
        slot.LastError = $"{e.GetType().Name}: {e.Message}";
        var now = Stopwatch.GetTimestamp();
        if (slot.LastErrorLogged == 0 || Stopwatch.GetElapsedTime(slot.LastErrorLogged, now) >= TimeSpan.FromSeconds(1))
        {
            Log.ModuleThrew(logger, slot.ModuleName, slot.SuppressedErrors, e);
            slot.LastErrorLogged = now;
            slot.SuppressedErrors = 0;
        }
        else
        {
            slot.SuppressedErrors++;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1001, LogLevel.Warning, "Module {Module} threw while processing a packet; the packet was accepted unchanged ({Suppressed} similar errors not logged in the last second)")]
        public static partial void ModuleThrew(ILogger logger, string module, long suppressed, Exception exception);
    }
}
