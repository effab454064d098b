global using NUnit.Framework;
global using PetStore.Tests;
