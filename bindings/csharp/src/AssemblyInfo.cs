using System.Reflection;
using System.Runtime.CompilerServices;

[assembly: AssemblyTitle("Gort")]
[assembly: AssemblyDescription("Go's goroutine model for C#, on gort")]
// The tests look at a channel's calls in flight.
[assembly: InternalsVisibleTo("GortTests")]
